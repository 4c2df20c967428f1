package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.rdb.DumpPayload;
import dev.ferry.rdb.RdbEntry;
import dev.ferry.rdb.RdbHandler;
import dev.ferry.rdb.RdbParser;
import dev.ferry.rdb.RdbType;
import dev.ferry.rdb.StreamInfo;
import dev.ferry.resp.SpilledBulk;
import dev.ferry.sink.Command;
import dev.ferry.sink.CommandName;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.WriteSink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A {@code RESTORE} in the replication stream (a client's own, a {@code MIGRATE} into the source, or the
 * writes of another Ferry task in a cascade) carries a payload labelled with the source's RDB version,
 * which an older target refuses ("payload version or checksum are wrong"), and so does a server of the other
 * family (Valkey 9 refuses Redis's versions 12 to 79). Such a payload is relabelled with the target's version
 * when the target knows the value's type (a type byte means one encoding in every version of a family that has
 * it), and otherwise rewritten into plain commands, as the snapshot does: the
 * value is decoded by the RDB parser from a one-key RDB built around the payload.
 */
final class StreamRestore {

    /** Largest spilled payload read back into memory to be adapted: the snapshot's default --raw-limit. */
    static final long MAX_ADAPTED_PAYLOAD = 32L << 20;

    private StreamRestore() {
    }

    /**
     * Whether {@code argv} is a {@code RESTORE} whose payload {@code target} cannot take as it is: labelled with a
     * newer RDB version, or longer than the target's {@code proto-max-bulk-len} (a source's replicas take any).
     */
    static boolean needsAdapting(byte[][] argv, TargetProfile target) {
        // Checked for every forwarded command: recognised from the bytes, without a String.
        if (argv.length < 4 || CommandName.of(argv[0]) != CommandName.RESTORE) {
            return false;
        }
        SpilledBulk spilled = SpilledBulk.of(argv[3]);
        // A spilled payload keeps its last bytes in memory: the version and the checksum.
        byte[] payload = spilled == null ? argv[3] : spilled.tail();
        if (payload.length < 11) {
            return false;
        }
        if (payload.length > target.protoMaxBulkLen()) {
            return true;
        }
        int version = (payload[payload.length - 10] & 0xff) | (payload[payload.length - 9] & 0xff) << 8;
        return !target.acceptsPayloadVersion(version);
    }

    /**
     * Sends what the target can take for {@code argv}: the same {@code RESTORE} with a relabelled payload,
     * or {@code DEL} and plain commands plus the expiry.
     */
    static void adapt(byte[][] argv, TargetProfile target, WriteSink sink, long offsetAfter) {
        SpilledBulk spilled = SpilledBulk.of(argv[3]);
        if (spilled != null) {
            argv = inMemory(argv, spilled, target, offsetAfter);
        }
        DumpPayload.Parsed parsed;
        try {
            parsed = DumpPayload.decode(argv[3]);
        } catch (RuntimeException e) {
            throw new FerryException("the source sent " + Command.describe(argv) + " at offset " + offsetAfter
                    + " with a payload Ferry cannot read: " + e.getMessage());
        }
        boolean replace = false;
        boolean absolute = false;
        boolean otherOptions = false;
        for (int i = 4; i < argv.length; i++) {
            String option = new String(argv[i], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
            replace |= option.equals("REPLACE");
            absolute |= option.equals("ABSTTL");
            otherOptions |= !option.equals("REPLACE") && !option.equals("ABSTTL");
        }
        // An old target may also lack RESTORE's options (REPLACE: 3.0, ABSTTL, IDLETIME, FREQ: 5.0): then commands.
        boolean optionsKnown = (!replace || target.restoreReplace())
                && ((!absolute && !otherOptions) || target.restoreAbsTtl());
        if (target.restores(parsed.type()) && optionsKnown
                && argv[3].length <= target.protoMaxBulkLen()) {
            byte[][] relabelled = argv.clone();
            relabelled[3] = DumpPayload.encode(parsed.type(), parsed.value(), target.rdbVersion());
            sink.write(relabelled, offsetAfter);
            return;
        }
        byte[] key = argv[1];
        long ttl = parseLong(argv[2], argv, offsetAfter);
        try {
            new RdbParser(new ByteArrayInputStream(oneKeyRdb(parsed, key))).parse(new RdbHandler() {
                @Override
                public void entry(RdbEntry entry) throws IOException {
                    // The payload is whole in memory: a stream's groups can be read before its entries.
                    StreamInfo known = parsed.type().kind() == RdbType.Kind.STREAM
                            ? StreamInfo.read(parsed.type(), parsed.value()) : null;
                    entry.decode(new ValueRewriter(key, target, sink, known));
                }
            });
        } catch (IOException | RuntimeException e) {
            throw new FerryException("the source sent " + Command.describe(argv) + " at offset " + offsetAfter
                    + ", a " + parsed.type() + " value that Redis " + target.version() + " cannot RESTORE, and"
                    + " rewriting it as commands failed: " + e.getMessage());
        }
        if (ttl > 0) {
            byte[] when = Long.toString(ttl).getBytes(StandardCharsets.US_ASCII);
            sink.write(new byte[][] {ascii(absolute ? "PEXPIREAT" : "PEXPIRE"), key, when}, offsetAfter);
        } else {
            sink.advance(offsetAfter);
        }
    }

    /**
     * {@code argv} with its spilled payload read back: adapting needs it whole (relabelling rewrites the
     * checksum over all of it). Up to {@link #MAX_ADAPTED_PAYLOAD}, as large as a raw value the snapshot
     * holds, so a cascade of Ferry tasks (whose snapshot RESTOREs come back in the stream) still works.
     */
    private static byte[][] inMemory(byte[][] argv, SpilledBulk spilled, TargetProfile target, long offsetAfter) {
        if (spilled.length() > MAX_ADAPTED_PAYLOAD) {
            throw new FerryException("the source sent " + Command.describe(argv) + " at offset " + offsetAfter
                    + ", a payload in an RDB version newer than target " + target.version() + " reads: Ferry adapts"
                    + " such payloads only up to " + (MAX_ADAPTED_PAYLOAD >> 20) + " MiB, since it holds them whole;"
                    + " use a target of the source's version, or copy this key by hand");
        }
        byte[][] copy = argv.clone();
        try {
            copy[3] = spilled.take();
        } catch (IOException e) {
            throw new FerryException("could not read back the payload of " + Command.describe(argv) + ": " + e.getMessage(), e);
        }
        return copy;
    }

    /**
     * An RDB file of the payload's version holding one key: header (Valkey's own magic from version 80), the value,
     * EOF, no checksum (0).
     */
    private static byte[] oneKeyRdb(DumpPayload.Parsed parsed, byte[] key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(parsed.value().length + key.length + 32);
        int version = parsed.rdbVersion();
        out.writeBytes(ascii(version >= dev.ferry.rdb.RdbType.FIRST_VALKEY_VERSION ? String.format("VALKEY%03d", version)
                : String.format("REDIS%04d", version)));
        out.write(parsed.type().code());
        // A 32-bit string length: 0x80, then the length big-endian.
        out.write(0x80);
        out.write(key.length >>> 24);
        out.write(key.length >>> 16);
        out.write(key.length >>> 8);
        out.write(key.length);
        out.writeBytes(key);
        out.writeBytes(parsed.value());
        out.write(0xff);
        out.writeBytes(new byte[8]);
        return out.toByteArray();
    }

    private static long parseLong(byte[] arg, byte[][] argv, long offsetAfter) {
        try {
            return Long.parseLong(new String(arg, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new FerryException("the source sent " + Command.describe(argv) + " at offset " + offsetAfter
                    + " with a TTL that is not a number");
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
