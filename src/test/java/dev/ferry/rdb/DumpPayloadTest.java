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
    void theDumpExampleOfTheRedisDocumentationIsReproducedExactly() {
        // redis.io DUMP page: SET mykey 10; DUMP mykey -> "\x00\xc0\n\t\x00\xbem\x06\x89Z(\x00\n" (RDB 9).
        byte[] redis = {0x00, (byte) 0xc0, 0x0a, 0x09, 0x00, (byte) 0xbe, 0x6d, 0x06, (byte) 0x89, 0x5a, 0x28, 0x00, 0x0a};
        assertThat(DumpPayload.encode(RdbType.STRING, new byte[] {(byte) 0xc0, 0x0a}, 9)).isEqualTo(redis);
        DumpPayload.Parsed parsed = DumpPayload.decode(redis);
        assertThat(parsed.rdbVersion()).isEqualTo(9);
        assertThat(parsed.value()).containsExactly(0xc0, 0x0a);
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
