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

    /** Valkey 9's hash with field expiries (type 22, HASH_2): count, then field, value, 8-byte expiry (-1: none). */
    private static byte[] valkeyHashTwoPayload() {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        value.write(2);
        for (String[] fv : new String[][] {{"a", "1"}, {"b", "2"}}) {
            value.write(1);
            value.writeBytes(fv[0].getBytes(StandardCharsets.US_ASCII));
            value.write(1);
            value.writeBytes(fv[1].getBytes(StandardCharsets.US_ASCII));
            long at = fv[0].equals("a") ? 4_102_444_800_123L : -1;
            for (int i = 0; i < 8; i++) {
                value.write((int) (at >>> (8 * i)));
            }
        }
        return DumpPayload.encode(RdbType.VALKEY_HASH_2, value.toByteArray(), 80);
    }

    @Test
    void aValkey9FieldExpiryPayloadIsLeftToValkey9AndArrivesInRedis8AsCommands() {
        byte[][] restore = {"RESTORE".getBytes(), "h".getBytes(), "0".getBytes(), valkeyHashTwoPayload()};
        TargetProfile valkey9 = new TargetProfile(ServerInfo.Version.parse("9.1.2", true), 1 << 20);
        TargetProfile redis8 = new TargetProfile(ServerInfo.Version.parse("8.0.6", false), 1 << 20);
        assertThat(StreamRestore.needsAdapting(restore, valkey9)).isFalse();
        assertThat(StreamRestore.needsAdapting(restore, redis8)).isTrue();

        RecordingSink sink = new RecordingSink();
        StreamRestore.adapt(restore, redis8, sink, 5);
        assertThat(sink.writes).noneMatch(w -> w.startsWith("RESTORE"));
        assertThat(String.join(" | ", sink.writes)).contains("HSET h a 1").contains("b 2")
                .contains("HPEXPIREAT h 4102444800123 FIELDS 1 a");
    }

    @Test
    void aRedisPayloadOfVersion12IsAdaptedForValkey9WhichLeavesThatVersionToRedis() {
        byte[] payload = DumpPayload.encode(RdbType.SET, new byte[] {1, 1, 'm'}, 12);
        byte[][] restore = {"RESTORE".getBytes(), "s".getBytes(), "0".getBytes(), payload};
        TargetProfile valkey9 = new TargetProfile(ServerInfo.Version.parse("9.1.2", true), 1 << 20);
        assertThat(StreamRestore.needsAdapting(restore, valkey9)).isTrue();

        RecordingSink sink = new RecordingSink();
        StreamRestore.adapt(restore, valkey9, sink, 7);
        assertThat(sink.writes).hasSize(1);
        assertThat(sink.writes.get(0)).startsWith("RESTORE s 0");
        assertThat(DumpPayload.decode(sink.commands.get(0)[3]).rdbVersion()).isEqualTo(80);
    }
}
