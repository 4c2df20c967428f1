package dev.ferry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Task definitions, the task store and the OpenAPI document, without servers. */
class ServerUnitTest {

    @Test
    void anInlinePasswordIsRefusedWithWhereToPutIt() {
        assertThatThrownBy(() -> TaskDefinition.of(Map.of("name", "a", "source", "redis://:s3cret@127.0.0.1:1",
                "target", "redis://127.0.0.1:2")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("source-password-env")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> TaskDefinition.of(Map.of("name", "a", "source", "redis://127.0.0.1:1",
                "target", "redis://127.0.0.1:2", "target-password", "s3cret")))
                .hasMessageContaining("target-password-file")
                .hasMessageNotContaining("s3cret");
        assertThat(TaskDefinition.of(Map.of("name", "a", "source", "redis://user@127.0.0.1:1", "target",
                "redis://127.0.0.1:2", "source-password-env", "PW")).passwordEnv("source")).isEqualTo("PW");
    }

    @Test
    void aTaskNeedsANameUsableAsAFileName() {
        assertThatThrownBy(() -> TaskDefinition.of(Map.of("name", "../x", "source", "redis://h:1", "target", "redis://h:2")))
                .hasMessageContaining("task name '../x'");
    }

    @Test
    void theStoreReadsBackWhatItWroteAndNeverAHalfWrittenFile(@TempDir Path dir) throws Exception {
        TaskStore store = new TaskStore(dir);
        StoredTask task = new StoredTask("orders", Map.of("source", "redis://h:1", "target", "redis://h:2",
                "dbs", List.of(0, 3)), StoredTask.PAUSED, false, true, "api");
        store.save(task);
        store.save(task.withDesired(StoredTask.RUNNING, true));
        // A crash during a write leaves its temporary file: never read back, and cleaned up.
        Files.writeString(dir.resolve("tasks/.orders.json.tmp"), "{\"name\": \"orders\", \"desi");
        Files.writeString(dir.resolve("tasks/.other.json.tmp"), "{\"name\": \"oth");
        List<StoredTask> loaded = new TaskStore(dir).loadAll();
        assertThat(loaded).containsExactly(task.withDesired(StoredTask.RUNNING, true));
        assertThat(Files.list(dir.resolve("tasks")).map(p -> p.getFileName().toString())).containsExactly("orders.json");
        store.delete("orders");
        assertThat(store.loadAll()).isEmpty();
    }

    @Test
    void theOpenApiDocumentDescribesEveryRouteTheServerHas() throws Exception {
        JsonNode doc;
        try (InputStream in = ApiServer.class.getResourceAsStream("openapi.json")) {
            doc = new ObjectMapper().readTree(in);
        }
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        for (ApiServer.Route route : ApiServer.ROUTES) {
            JsonNode path = doc.get("paths").get(route.path());
            assertThat(path).as(route.path()).isNotNull();
            assertThat(path.get(route.method().toLowerCase())).as(route.method() + " " + route.path()).isNotNull();
        }
        int described = 0;
        for (JsonNode path : doc.get("paths")) {
            described += path.size();
        }
        assertThat(described).as("operations described but not served").isEqualTo(ApiServer.ROUTES.size());
    }

    /** The probes of Kubernetes send no token: they are answered without one, the API is not. */
    @Test
    void healthAndReadinessAnswerWithoutTheTokenAndReadinessWaitsForTheTasks(@TempDir Path dir) throws Exception {
        TaskPlanner planner = new TaskPlanner() {
            @Override
            public TaskPlan plan(TaskDefinition definition) {
                throw new AssertionError("no task is planned here");
            }

            @Override
            public dev.ferry.precheck.PrecheckReport precheck(TaskPlan plan) {
                throw new AssertionError("no task is prechecked here");
            }
        };
        HttpClient http = HttpClient.newHttpClient();
        try (FerryServer server = new FerryServer(new TaskStore(dir), planner);
             ApiServer api = new ApiServer(server, planner, "127.0.0.1", 0, "t0ken")) {
            String base = "http://127.0.0.1:" + api.port();
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + ApiServer.READY)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("loading its tasks");
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + ApiServer.HEALTH)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            server.start(List.of());
            ready = http.send(HttpRequest.newBuilder(URI.create(base + ApiServer.READY)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            HttpResponse<String> tasks = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(tasks.statusCode()).as("the API itself still asks for the token").isEqualTo(401);
        }
    }
}
