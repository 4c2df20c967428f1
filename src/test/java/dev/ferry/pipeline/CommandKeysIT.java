package dev.ferry.pipeline;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the keys of a stream write are, from a real server's COMMAND table, container commands of 7.0 included. */
class CommandKeysIT {

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {"7.0.15", "6.2.7"})
    void theKeyOfAnXgroupSubcommandIsFoundWhereverTheServerDescribesIt(String version) {
        try (RedisServer server = RedisServer.builder().version(version).start(); RedisConnection conn = server.connect()) {
            CommandKeys keys = CommandKeys.fetch(conn);

            assertThat(keys.keyIndexes(argv("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"))).containsExactly(2);
            assertThat(keys.keyIndexes(argv("xgroup", "setid", "s", "g", "$"))).containsExactly(2);
            assertThat(keys.keyIndexes(argv("XGROUP", "CREATECONSUMER", "s", "g", "c"))).containsExactly(2);
            assertThat(keys.keyIndexes(argv("MSET", "a", "1", "b", "2"))).containsExactly(1, 3);
            assertThat(keys.keyIndexes(argv("SELECT", "1"))).isEmpty();
        }
    }

    private static byte[][] argv(String... args) {
        return Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }
}
