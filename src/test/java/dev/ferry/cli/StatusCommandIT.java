package dev.ferry.cli;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.server.ApiServer;
import dev.ferry.server.ConfigFile;
import dev.ferry.server.FerryServer;
import dev.ferry.server.TaskStore;
import dev.ferry.cli.SyncCommandIT.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;


import static dev.ferry.cli.SyncCommandIT.ferry;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code ferry status} against a real server (7.0.15): the task table, and plain errors for a wrong token or no server. */
class StatusCommandIT {

    @Test
    void theTableShowsEachTaskWithItsStateProgressLagAndLastEvent(@TempDir Path dir) throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisServer fullTarget = RedisServer.builder().version("7.0.15").start()) {
            try (RedisConnection c = source.connect()) {
                for (int i = 0; i < 50; i++) {
                    c.callChecked("SET", "k:" + i, "v");
                }
            }
            Path config = dir.resolve("ferry.yaml");
            Files.writeString(config, "tasks:\n  - name: orders\n    source: redis://127.0.0.1:" + source.port()
                    + "\n    target: redis://127.0.0.1:" + target.port() + "\n  - name: once\n    source: redis://127.0.0.1:"
                    + source.port() + "\n    target: redis://127.0.0.1:" + fullTarget.port() + "\n    mode: full\n");
            Files.writeString(dir.resolve("token"), "tok-51\n");
            Files.writeString(dir.resolve("wrong"), "tok-52\n");
            SyncDefinitions planner = new SyncDefinitions();
            try (FerryServer server = new FerryServer(new TaskStore(dir.resolve("data")), planner);
                 ApiServer api = new ApiServer(server, planner, "127.0.0.1", 0, "tok-51")) {
                server.start(ConfigFile.read(config));
                String url = "http://127.0.0.1:" + api.port();
                Result r = awaitTable(url, dir.resolve("token"), "streaming", "finished");
                List<String> lines = r.out().lines().toList();
                assertThat(lines.get(0)).matches("NAME +STATE +PROGRESS +LAG +LAST EVENT");
                assertThat(lines.get(1)).matches("once +finished +50 keys, 0 writes +- +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ finished");
                assertThat(lines.get(2)).matches("orders +streaming +50 keys, 0 writes +\\d+ ms +\\d{4}-.*streaming");
                int column = lines.get(0).indexOf("LAG");
                assertThat(lines).allSatisfy(line -> assertThat(line.charAt(column - 1)).isEqualTo(' '));

                Result wrong = ferry("status", "--server", url, "--api-token-file", dir.resolve("wrong").toString());
                assertThat(wrong.exitCode()).isEqualTo(Main.EXIT_FAILURE);
                assertThat(wrong.err()).startsWith("ferry: error: the server at " + url + " refused the token (401)");
                Result none = ferry("status", "--server", url);
                assertThat(none.exitCode()).isEqualTo(Main.EXIT_FAILURE);
                assertThat(none.err()).contains("refused the token");
            }
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Result unreachable = ferry("status", "--server", "http://127.0.0.1:" + closed);
        assertThat(unreachable.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(unreachable.err()).startsWith("ferry: error: cannot reach the server at http://127.0.0.1:" + closed)
                .contains("is ferry server running there").doesNotContain("\tat ");
    }

    /** Runs {@code ferry status} until the tasks, by name, are in these states. */
    private static Result awaitTable(String url, Path token, String orders, String once) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Result r = ferry("status", "--server", url, "--api-token-file", token.toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            // The states, and the events that record them (the server notes events every 500 ms: they may trail).
            if (lines.size() == 3 && lines.get(1).startsWith("once ") && lines.get(1).contains(" " + once + " ")
                    && lines.get(1).endsWith(" " + once) && lines.get(2).contains(" " + orders + " ")
                    && lines.get(2).endsWith(" " + orders) && lines.get(2).matches(".* \\d+ ms .*")) {
                return r;
            }
            assertThat(System.nanoTime()).as("the table: %s", r.out()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
