package dev.ferry.rdb;

import java.util.Arrays;

/**
 * The payload of {@code DUMP} and {@code RESTORE}: {@code <type byte><value as in an RDB><RDB version,
 * 2 bytes LE><CRC-64 of all the preceding bytes, 8 bytes LE>} ({@code createDumpPayload} and
 * {@code verifyDumpPayload} in Redis's {@code cluster.c}).
 *
 * <p>A target rejects a payload whose version is newer than its own RDB version, or whose type it does
 * not know. Stateless.
 */
public final class DumpPayload {

    private static final int FOOTER = 10;

    private DumpPayload() {
    }

    /**
     * Wraps a raw value ({@link RdbEntry#rawValue(int)}) as a payload.
     *
     * @param rdbVersion the RDB version to stamp, 0..65535
     */
    public static byte[] encode(RdbType type, byte[] rawValue, int rdbVersion) {
        if (rdbVersion < 0 || rdbVersion > 0xffff) {
            throw new IllegalArgumentException("rdbVersion: " + rdbVersion + " (expected: 0..65535)");
        }
        byte[] out = new byte[1 + rawValue.length + FOOTER];
        out[0] = (byte) type.code();
        System.arraycopy(rawValue, 0, out, 1, rawValue.length);
        int p = 1 + rawValue.length;
        out[p] = (byte) rdbVersion;
        out[p + 1] = (byte) (rdbVersion >>> 8);
        long crc = Crc64.update(0, out, 0, p + 2);
        for (int i = 0; i < 8; i++) {
            out[p + 2 + i] = (byte) (crc >>> (8 * i));
        }
        return out;
    }

    /**
     * Splits a payload into its parts, after checking its CRC-64.
     *
     * @throws RdbFormatException if the payload is too short, its checksum does not match, or its type byte
     *                            is unknown (the offset is the byte in the payload)
     */
    public static Parsed decode(byte[] payload) {
        if (payload.length < 1 + FOOTER) {
            throw new RdbFormatException("DUMP payload of " + payload.length + " bytes is shorter than "
                    + (1 + FOOTER), 0);
        }
        int crcAt = payload.length - 8;
        long stored = 0;
        for (int i = 0; i < 8; i++) {
            stored |= (payload[crcAt + i] & 0xffL) << (8 * i);
        }
        long computed = Crc64.update(0, payload, 0, crcAt);
        if (stored != computed) {
            throw new RdbFormatException(String.format("DUMP payload checksum mismatch: it says %016x, its bytes "
                    + "give %016x", stored, computed), crcAt);
        }
        int version = (payload[crcAt - 2] & 0xff) | (payload[crcAt - 1] & 0xff) << 8;
        RdbType type = RdbType.of(payload[0] & 0xff, version >= RdbType.FIRST_VALKEY_VERSION);
        if (type == null) {
            throw new RdbFormatException("DUMP payload of RDB version " + version + " has unknown type byte "
                    + (payload[0] & 0xff), 0);
        }
        return new Parsed(type, version, Arrays.copyOfRange(payload, 1, crcAt - 2));
    }

    /**
     * A decoded payload.
     *
     * @param type       the value type, read by the payload's version: byte 22 is {@link RdbType#VALKEY_HASH_2} in
     *                   a Valkey payload (version 80+), {@link RdbType#HASH_METADATA_PRE_GA} in a Redis one
     * @param rdbVersion the RDB version stamped in the footer
     * @param value      the serialized value, as {@link RdbEntry#rawValue(int)} gives it
     */
    public record Parsed(RdbType type, int rdbVersion, byte[] value) {
    }
}
