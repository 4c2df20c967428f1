package dev.ferry.pipeline;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.WriteSink;
import dev.ferry.testing.Servers;
import dev.ferry.testing.StreamGroups;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

/**
 * The commands {@link StreamRebuild} writes, run on real servers one by one (any error reply fails the test):
 * 7.0.15 streams, rewritten from their DUMP payloads, land exactly on 6.0, 6.2 and 7.0, where a 7.0 target also
 * gets entries-added, max-deleted-entry-id, recorded-first-entry-id, entries-read and lag as on the source.
 */
class StreamRebuildIT {

    @RegisterExtension
    final Servers servers = new Servers();

    @ParameterizedTest(name = "7.0.15 -> {0}")
    @ValueSource(strings = {"6.0.5", "6.2.7", "7.0.15"})
    void rewrittenStreamsKeepEveryGroupAndCounter(String targetVersion) {
        RedisServer source = servers.start("7.0.15");
        RedisServer target = servers.start(targetVersion);
        try (RedisConnection src = source.connect(); RedisConnection tgt = target.connect()) {
            StreamGroups.populate(src);
            // A bulk limit of 100 bytes makes even a 7.0 target take the stream as commands.
            TargetProfile profile = new TargetProfile(ServerInfo.Version.parse(targetVersion, false), 100);
            WriteSink oneByOne = new RecordingSink(argv -> tgt.callChecked((Object[]) argv));
            for (String key : StreamGroups.KEYS) {
                byte[] payload = ((RespValue.Bulk) src.callChecked("DUMP", key)).bytes();
                byte[][] restore = {b("RESTORE"), b(key), b("0"), payload};
                StreamRestore.adapt(restore, profile, oneByOne, 1);
            }
            StreamGroups.assertSame(src, tgt, StreamGroups.KEYS, targetVersion);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
