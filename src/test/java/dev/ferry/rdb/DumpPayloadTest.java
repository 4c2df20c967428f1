package dev.ferry.rdb;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DumpPayloadTest {

    @Test
    void encodeThenDecodeGivesBackTypeVersionAndValue() {
        byte[] value = {3, 'b', 'a', 'r'};
        byte[] payload = DumpPayload.encode(RdbType.STRING, value, 10);
        DumpPayload.Parsed parsed = DumpPayload.decode(payload);
        assertThat(parsed.type()).isEqualTo(RdbType.STRING);
        assertThat(parsed.rdbVersion()).isEqualTo(10);
        assertThat(parsed.value()).isEqualTo(value);
    }

    @Test
    void payloadLayoutIsTypeValueVersionAndChecksumLittleEndian() {
        byte[] payload = DumpPayload.encode(RdbType.SET_LISTPACK, new byte[] {1, 2}, 0x0b0c);
        assertThat(payload).hasSize(1 + 2 + 2 + 8);
        assertThat(payload[0]).isEqualTo((byte) 20);
        assertThat(payload[3]).isEqualTo((byte) 0x0c);
        assertThat(payload[4]).isEqualTo((byte) 0x0b);
        long crc = Crc64.update(0, payload, 0, 5);
        for (int i = 0; i < 8; i++) {
            assertThat(payload[5 + i]).isEqualTo((byte) (crc >>> (8 * i)));
        }
    }

    @Test
    void aPayloadDumpedByRedisDecodes() {
        // DUMP of SET foo bar on Redis 7.0 (RDB 10): "\x00\x03bar\n\x00" + CRC64.
        byte[] body = {0, 3, 'b', 'a', 'r', 10, 0};
        long crc = Crc64.update(0, body, 0, body.length);
        byte[] payload = java.util.Arrays.copyOf(body, body.length + 8);
        for (int i = 0; i < 8; i++) {
            payload[body.length + i] = (byte) (crc >>> (8 * i));
        }
        assertThat(DumpPayload.encode(RdbType.STRING, new byte[] {3, 'b', 'a', 'r'}, 10)).isEqualTo(payload);
    }

    @Test
    void aTamperedOrShortPayloadIsRejected() {
        byte[] payload = DumpPayload.encode(RdbType.STRING, "\u0003bar".getBytes(StandardCharsets.US_ASCII), 9);
        payload[2] ^= 1;
        assertThatThrownBy(() -> DumpPayload.decode(payload)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("checksum mismatch");
        assertThatThrownBy(() -> DumpPayload.decode(new byte[5])).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("shorter");
        assertThatThrownBy(() -> DumpPayload.encode(RdbType.STRING, new byte[0], 70000))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
