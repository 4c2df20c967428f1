package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ferry status --server URL}: the task table of a running {@code ferry server}, read from its API (one request
 * for the list, one per task for its last event) and printed as aligned columns. Blocks on the requests (5 s each).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Prints the tasks of a running ferry server: name, state, progress, lag and last event.")
final class StatusCommand implements Callable<Integer> {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String[] HEADER = {"NAME", "STATE", "PROGRESS", "LAG", "LAST EVENT"};

    @Spec
    CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "The server, e.g. http://127.0.0.1:8080.")
    String server;

    @Option(names = "--api-token-file", paramLabel = "FILE", description = "The server's token (first line of FILE).")
    Path tokenFile;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() {
        String token = tokenFile == null ? null : ServerCommand.token(tokenFile);
        String base = server.replaceAll("/+$", "") + "/api/v1/tasks";
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (JsonNode task : get(base, token).get("tasks")) {
            String name = task.get("name").asText();
            JsonNode events = get(base + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/events", token).get("events");
            JsonNode last = events.isEmpty() ? null : events.get(events.size() - 1);
            rows.add(new String[] {name, task.get("state").asText(), progress(task), lag(task.get("lagMillis").asLong(-1)),
                    last == null ? "" : seconds(last.get("time").asText()) + " " + last.get("message").asText()});
        }
        print(rows);
        return 0;
    }

    /** Snapshot keys while copying; the writes forwarded afterwards. */
    static String progress(JsonNode task) {
        long done = task.get("snapshot").get("keysDone").asLong();
        long total = task.get("snapshot").get("keysTotal").asLong();
        if ("snapshot".equals(task.get("state").asText())) {
            return total > 0 ? String.format(Locale.ROOT, "%.0f%% %d/%d keys", Math.min(1.0, (double) done / total) * 100,
                    done, total) : done + " keys";
        }
        return done + " keys, " + task.get("writesForwarded").asLong() + " writes";
    }

    /** An event's time to the second, in UTC: the table stays narrow. */
    static String seconds(String instant) {
        try {
            return Instant.parse(instant).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return instant;
        }
    }

    static String lag(long ms) {
        return ms < 0 ? "-" : ms + " ms";
    }

    private void print(List<String[]> rows) {
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            spec.commandLine().getOut().println(line.toString().stripTrailing());
        }
        spec.commandLine().getOut().flush();
    }

    private JsonNode get(String url, String token) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
        } catch (IllegalArgumentException e) {
            throw new FerryException("--server " + server + ": not a URL (expected e.g. http://127.0.0.1:8080)");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new FerryException("cannot reach the server at " + server + " (" + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()) + "): is ferry server running there, on that port?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while asking " + server);
        }
        if (response.statusCode() == 401) {
            throw new FerryException("the server at " + server + " refused the token (401): give --api-token-file with"
                    + " the file of the server's --api-token-file");
        }
        try {
            JsonNode body = json.readTree(response.body());
            if (response.statusCode() != 200) {
                throw new FerryException("the server at " + server + " answered " + response.statusCode() + ": "
                        + (body.has("error") ? body.get("error").asText() : response.body()));
            }
            return body;
        } catch (IOException e) {
            throw new FerryException("the server at " + server + " answered " + response.statusCode()
                    + " with something other than JSON: is it a ferry server?");
        }
    }
}
