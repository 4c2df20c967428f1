package dev.ferry.server;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The web console's static files (HTML, CSS, JavaScript under {@code console/} beside this class), served at
 * {@code /} by the API's HTTP server. They hold no data and no secret, so they need no token: the page asks for
 * the token and sends it with every API call. Only the files named here are served; anything else is a 404.
 * Every answer forbids loading from elsewhere (Content-Security-Policy {@code default-src 'self'}). Stateless,
 * thread-safe; a request blocks only to read a small resource.
 */
final class ConsoleFiles {

    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/console.css", "console.css",
            "/console.js", "console.js");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8");

    private ConsoleFiles() {
    }

    /** True when {@code path} is the console's (not the API's), so {@link #serve} answers it. */
    static boolean owns(String path) {
        // The API and the metrics (behind the token) are the API server's; every other path is the console's.
        return !path.startsWith(ApiServer.BASE + "/") && !path.equals(ApiServer.BASE) && !path.equals(ApiServer.METRICS);
    }

    /** Answers a GET or HEAD of a console file; 404 for an unknown path, 405 for another method. */
    static void serve(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String file = FILES.get(exchange.getRequestURI().getPath());
        byte[] body;
        int status;
        String type;
        if (!method.equals("GET") && !method.equals("HEAD")) {
            status = 405;
            body = "method not allowed: the console's files are read with GET\n".getBytes(StandardCharsets.UTF_8);
            type = "text/plain; charset=utf-8";
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        } else if (file == null) {
            status = 404;
            body = ("not found: the console is at /, the API under " + ApiServer.BASE + "\n").getBytes(StandardCharsets.UTF_8);
            type = "text/plain; charset=utf-8";
        } else {
            try (InputStream in = ConsoleFiles.class.getResourceAsStream("console/" + file)) {
                body = in.readAllBytes();
            }
            status = 200;
            type = TYPES.get(file.substring(file.lastIndexOf('.') + 1));
        }
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        boolean head = method.equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(body);
            }
        }
    }
}
