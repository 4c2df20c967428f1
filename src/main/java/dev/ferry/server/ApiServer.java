package dev.ferry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.FerryException;
import dev.ferry.precheck.PrecheckReport;
import dev.ferry.task.SyncOptions;
import dev.ferry.verify.JsonReportWriter;
import dev.ferry.verify.Verifier;
import dev.ferry.verify.VerifyOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP API of {@code ferry server} under {@code /api/v1} (described by {@code /api/v1/openapi.json}), on the
 * JDK's built-in HTTP server. With a token, every request needs {@code Authorization: Bearer <token>}. Bodies are
 * JSON; errors are {@code {"error": "..."}}; no response carries a password (every body is checked against the
 * tasks' passwords before it leaves). Every other path is the web console's static files ({@link ConsoleFiles}).
 * Requests are served by a small pool of threads; a verify blocks its thread.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    static final String BASE = "/api/v1";
    /** Prometheus metrics of every task, in the text format; behind the token like the API. */
    public static final String METRICS = "/metrics";
    /** Liveness: 200 while the process serves HTTP at all; no token (a Kubernetes probe sends none). */
    public static final String HEALTH = "/healthz";
    /** Readiness: 200 once the tasks are loaded (and, in a worker group, the worker has joined it), else 503; no token. */
    public static final String READY = "/readyz";
    private static final Pattern TASK = Pattern.compile(BASE + "/tasks/([^/]+)(/[a-z]+)?");

    /** A route the server answers, as written in the OpenAPI document. */
    public record Route(String method, String path) {
    }

    /** Every route: the OpenAPI document must describe each (a test checks it). */
    public static final List<Route> ROUTES = List.of(
            new Route("GET", BASE + "/openapi.json"),
            new Route("GET", BASE + "/tasks"),
            new Route("POST", BASE + "/tasks"),
            new Route("GET", BASE + "/tasks/{name}"),
            new Route("DELETE", BASE + "/tasks/{name}"),
            new Route("POST", BASE + "/tasks/{name}/pause"),
            new Route("POST", BASE + "/tasks/{name}/resume"),
            new Route("POST", BASE + "/tasks/{name}/stop"),
            new Route("POST", BASE + "/tasks/{name}/restart"),
            new Route("GET", BASE + "/tasks/{name}/events"),
            new Route("POST", BASE + "/tasks/{name}/verify"),
            new Route("GET", METRICS),
            new Route("GET", HEALTH),
            new Route("GET", READY));

    private final FerryServer server;
    private final TaskPlanner planner;
    private final byte[] token;
    private final HttpServer http;
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "ferry-api");
        t.setDaemon(true);
        return t;
    });
    private final ObjectMapper json = new ObjectMapper();

    /** Listens on {@code host:port} (0: any free port); {@code token} null for none. */
    public ApiServer(FerryServer server, TaskPlanner planner, String host, int port, String token) {
        this.server = server;
        this.planner = planner;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        try {
            this.http = HttpServer.create(new InetSocketAddress(host, port), 50);
        } catch (IOException e) {
            throw new FerryException("--port " + port + ": cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "): choose another port");
        }
        http.createContext("/", this::handle);
        http.createContext(METRICS, this::metrics);
        http.setExecutor(pool);
        http.start();
    }

    /** The port listened on. */
    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        http.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals(HEALTH) || path.equals(READY)) {
            String notReady = path.equals(HEALTH) ? null : server.notReady();
            send(exchange, notReady == null ? 200 : 503, json.writeValueAsString(notReady == null
                    ? TaskViews.map("status", "ok") : TaskViews.map("status", "not ready", "reason", notReady)));
            return;
        }
        if (ConsoleFiles.owns(path)) {
            ConsoleFiles.serve(exchange);
            return;
        }
        int status;
        Object body;
        try {
            if (!authorized(exchange)) {
                status = 401;
                body = error("missing or wrong bearer token: send 'Authorization: Bearer <token>' with the token of"
                        + " the server's --api-token-file");
            } else {
                Object[] result = route(exchange);
                status = (Integer) result[0];
                body = result[1];
            }
        } catch (FerryServer.NotFound e) {
            status = 404;
            body = error(e.getMessage());
        } catch (MethodNotAllowed e) {
            status = 405;
            body = error(e.getMessage());
        } catch (ManagedTask.Conflict e) {
            status = 409;
            body = error(e.getMessage());
        } catch (FerryException | IllegalArgumentException e) {
            status = 400;
            body = error(e.getMessage());
        } catch (JsonProcessingException e) {
            status = 400;
            body = error("the body is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (RuntimeException e) {
            log.error("API request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
            status = 500;
            body = error("internal error: " + e.getClass().getSimpleName() + " (see the server's log)");
        }
        send(exchange, status, body instanceof String s ? s : json.writerWithDefaultPrettyPrinter().writeValueAsString(body));
    }

    private void metrics(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(METRICS) || !authorized(exchange)
                || !exchange.getRequestMethod().equals("GET")) {
            handle(exchange);
            return;
        }
        byte[] bytes = server.metrics().scrape().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Object[] route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (path.equals(BASE + "/openapi.json")) {
            requireMethod(method, "GET");
            return ok(openApi());
        }
        if (path.equals(BASE + "/tasks")) {
            if (method.equals("GET")) {
                return ok(Map.of("tasks", server.tasks().stream().map(TaskViews::summary).toList()));
            }
            requireMethod(method, "POST");
            return create(exchange);
        }
        if (path.equals(METRICS)) {
            requireMethod(method, "GET");
        }
        Matcher m = TASK.matcher(path);
        if (!m.matches()) {
            throw new FerryServer.NotFound("no route " + path + " (GET " + BASE + "/openapi.json lists the routes)");
        }
        ManagedTask task = server.task(m.group(1));
        String action = m.group(2) == null ? "" : m.group(2).substring(1);
        switch (action) {
            case "" -> {
                if (method.equals("DELETE")) {
                    server.delete(task.name());
                    return ok(Map.of("deleted", task.name()));
                }
                requireMethod(method, "GET");
                return ok(TaskViews.detail(task));
            }
            case "events" -> {
                requireMethod(method, "GET");
                return ok(Map.of("events", task.events()));
            }
            case "pause", "resume", "stop", "restart" -> {
                requireMethod(method, "POST");
                switch (action) {
                    case "pause" -> task.pause();
                    case "resume" -> task.resume();
                    case "stop" -> task.stop();
                    default -> task.restartFresh();
                }
                return new Object[] {202, TaskViews.detail(task)};
            }
            case "verify" -> {
                requireMethod(method, "POST");
                return ok(verify(task));
            }
            default -> throw new FerryServer.NotFound("no route " + path + " (GET " + BASE + "/openapi.json lists the routes)");
        }
    }

    private Object[] create(HttpExchange exchange) throws IOException {
        Map<String, Object> entry;
        try (InputStream in = exchange.getRequestBody()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> read = json.readValue(in, Map.class);
            entry = read;
        }
        if (entry == null) {
            throw new FerryException("the body is empty (expected a task: {\"name\": ..., \"source\": ..., \"target\": ...})");
        }
        boolean skip = Boolean.TRUE.equals(entry.get("skipPrecheck"));
        TaskDefinition definition = TaskDefinition.of(entry);
        if (Boolean.TRUE.equals(entry.get("precheckOnly"))) {
            PrecheckReport report = server.precheck(definition);
            return new Object[] {report.failed() ? 422 : 200, TaskViews.map("error",
                    report.failed() ? report.failureSummary() : null, "precheck", TaskViews.precheck(report))};
        }
        PrecheckReport failed = server.create(definition, skip);
        if (failed != null) {
            return new Object[] {422, TaskViews.map("error", failed.failureSummary(), "precheck", TaskViews.precheck(failed))};
        }
        return new Object[] {201, TaskViews.detail(server.task(definition.name()))};
    }

    private String verify(ManagedTask task) throws IOException {
        SyncOptions o = planner.plan(task.stored().definition()).options();
        StringWriter out = new StringWriter();
        JsonReportWriter.write(Verifier.run(VerifyOptions.builder(o.source(), o.target()).dbs(o.dbs()).dbMap(o.dbMap())
                .keys(o.keys()).build()), out);
        return out.toString();
    }

    private String openApi() throws IOException {
        try (InputStream in = ApiServer.class.getResourceAsStream("openapi.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private boolean authorized(HttpExchange exchange) {
        if (token == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8));
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new MethodNotAllowed("method " + method + " not allowed here (expected: " + expected + ")");
        }
    }

    private static Object[] ok(Object body) {
        return new Object[] {200, body};
    }

    private static Map<String, Object> error(String message) {
        return TaskViews.map("error", message);
    }

    private void send(HttpExchange exchange, int status, String body) throws IOException {
        for (String secret : server.secrets()) {
            body = body.replace(secret, "***");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A route asked with another method (HTTP 405). */
    private static final class MethodNotAllowed extends RuntimeException {
        MethodNotAllowed(String message) {
            super(message);
        }
    }
}
