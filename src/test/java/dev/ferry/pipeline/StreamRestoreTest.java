package dev.ferry.pipeline;

import dev.ferry.rdb.DumpPayload;
import dev.ferry.rdb.RdbType;
import dev.ferry.resp.ServerInfo;
import dev.ferry.sink.TargetProfile;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class StreamRestoreTest {

    private static final TargetProfile SMALL_LIMIT = new TargetProfile(ServerInfo.Version.parse("7.0.15", false), 100);

    /** A plain set (RDB type 2) of {@code n} members "member-00"...: RDB lengths under 64 take one byte. */
    private static byte[] setPayload(int n) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        value.write(n);
        for (int i = 0; i < n; i++) {
            byte[] member = String.format("member-%02d", i).getBytes(StandardCharsets.US_ASCII);
            value.write(member.length);
            value.writeBytes(member);
        }
        return DumpPayload.encode(RdbType.SET, value.toByteArray(), 10);
    }

    @Test
    void aPayloadLongerThanTheTargetsBulkLimitArrivesAsCommands() {
        byte[] payload = setPayload(30);
        assertThat(payload.length).isGreaterThan(100);
        byte[][] restore = {"RESTORE".getBytes(), "s".getBytes(), "0".getBytes(), payload, "REPLACE".getBytes()};
        assertThat(StreamRestore.needsAdapting(restore, SMALL_LIMIT)).isTrue();
        // ReplicaForms leaves it to StreamRestore instead of stopping.
        assertThat(new ReplicaForms(100).adapt(restore, 9)).isSameAs(restore);

        RecordingSink sink = new RecordingSink();
        StreamRestore.adapt(restore, SMALL_LIMIT, sink, 9);
        assertThat(sink.writes).noneMatch(w -> w.startsWith("RESTORE"));
        assertThat(String.join(" ", sink.writes)).contains("SADD s").contains("member-00").contains("member-29");
        assertThat(sink.advanced).isEqualTo(9);
    }

    @Test
    void aPayloadWithinTheLimitOfTheTargetsVersionIsLeftAlone() {
        byte[][] restore = {"RESTORE".getBytes(), "s".getBytes(), "0".getBytes(), setPayload(3)};
        assertThat(StreamRestore.needsAdapting(restore, SMALL_LIMIT)).isFalse();
    }
}
