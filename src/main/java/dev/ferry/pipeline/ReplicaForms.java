package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.sink.Command;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Commands in the forms a source sends only to its replicas, made acceptable to the target, which reads
 * them from Ferry as from any client. Redis skips some argument checks for its master's link
 * ({@code mustObeyClient} in the server's source); each such form either becomes a command with exactly the
 * same effect, or stops the sync with the setting to change, never a silent divergence:
 *
 * <ul>
 * <li>{@code XADD} / {@code XTRIM} with {@code MAXLEN = n} or {@code MINID = id} and {@code LIMIT}: the source
 *     rewrites an approximate trim ({@code ~}) into the exact result and keeps the {@code LIMIT}, which a replica
 *     ignores ({@code streamParseAddOrTrimArgsOrReply}: limit 0 for the master); the {@code LIMIT} is dropped,
 *     which gives a client the same parse: exact trim, no limit.</li>
 * <li>An argument longer than the target's {@code proto-max-bulk-len} ({@code processMultibulkBuffer}), a
 *     {@code SETBIT} / {@code BITFIELD} offset at or past it ({@code getBitOffsetFromArgument}), a
 *     {@code SETRANGE} that would grow a string past it ({@code checkStringLength}): no client can do it, so the
 *     sync stops and says to raise the limit on the target. A {@code RESTORE} payload that long is left to
 *     {@link StreamRestore}, which rewrites the value into commands of bounded size.</li>
 * </ul>
 *
 * <p>Stateless apart from the limit; runs on the link thread for every forwarded command, so a command that
 * needs nothing costs one look at its name and the lengths of its arguments.
 */
final class ReplicaForms {

    private final long maxBulk;

    /** @param maxBulk the target's {@code proto-max-bulk-len} */
    ReplicaForms(long maxBulk) {
        this.maxBulk = maxBulk;
    }

    /**
     * What to send the target for {@code argv}, read at {@code offsetAfter}: {@code argv} itself unless it is a
     * replica-only form.
     *
     * @throws FerryException for a command the target cannot apply with the same effect
     */
    byte[][] adapt(byte[][] argv, long offsetAfter) {
        byte[] name = argv[0];
        // A RESTORE payload too long for the target is rewritten into commands by StreamRestore.
        if (!is(name, "RESTORE")) {
            for (byte[] arg : argv) {
                if (arg.length > maxBulk) {
                    throw tooBig(argv, offsetAfter, "an argument of " + arg.length + " bytes");
                }
            }
        }
        if (is(name, "XADD") || is(name, "XTRIM")) {
            return withoutReplicaLimit(argv);
        }
        if (is(name, "SETBIT") && argv.length == 4) {
            checkBitOffset(argv, offsetAfter, argv[2], 0);
        } else if (is(name, "BITFIELD")) {
            checkBitfield(argv, offsetAfter);
        } else if (is(name, "SETRANGE") && argv.length == 4 && argv[3].length > 0) {
            long offset = number(argv[2]);
            if (offset >= 0 && offset + argv[3].length > maxBulk) {
                throw tooBig(argv, offsetAfter, "a string of " + (offset + argv[3].length) + " bytes");
            }
        }
        return argv;
    }

    /**
     * Drops {@code LIMIT count} from an {@code XADD} or {@code XTRIM} whose trim is exact ({@code =} or no
     * operator): only a replica accepts that pair, and for a replica it means nothing.
     */
    private static byte[][] withoutReplicaLimit(byte[][] argv) {
        // The options come before XADD's ID; the ID is never one of these words.
        int limitAt = -1;
        boolean approximate = false;
        int i = 2;
        while (i < argv.length) {
            byte[] opt = argv[i];
            if ((is(opt, "MAXLEN") || is(opt, "MINID")) && i + 1 < argv.length) {
                boolean operator = argv[i + 1].length == 1 && (argv[i + 1][0] == '~' || argv[i + 1][0] == '=');
                approximate = operator && argv[i + 1][0] == '~';
                i += operator ? 3 : 2;
            } else if (is(opt, "LIMIT") && i + 1 < argv.length) {
                limitAt = i;
                i += 2;
            } else if (is(opt, "NOMKSTREAM") || is(opt, "KEEPREF") || is(opt, "DELREF") || is(opt, "ACKED")) {
                i++;
            } else if (is(opt, "IDMP") || is(opt, "IDMPAUTO")) {
                // Redis 8.6's idempotent producer (and its ID): before the trim options too.
                i += is(opt, "IDMP") ? 3 : 2;
            } else {
                break;
            }
        }
        if (limitAt < 0 || approximate) {
            return argv;
        }
        byte[][] out = new byte[argv.length - 2][];
        System.arraycopy(argv, 0, out, 0, limitAt);
        System.arraycopy(argv, limitAt + 2, out, limitAt, argv.length - limitAt - 2);
        return out;
    }

    /** {@code BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset n] [OVERFLOW how]...}. */
    private void checkBitfield(byte[][] argv, long offsetAfter) {
        int i = 2;
        while (i < argv.length) {
            byte[] sub = argv[i];
            if (is(sub, "GET") && i + 2 < argv.length) {
                checkBitOffset(argv, offsetAfter, argv[i + 2], bits(argv[i + 1]));
                i += 3;
            } else if ((is(sub, "SET") || is(sub, "INCRBY")) && i + 3 < argv.length) {
                checkBitOffset(argv, offsetAfter, argv[i + 2], bits(argv[i + 1]));
                i += 4;
            } else {
                // OVERFLOW and its argument, or something the target will judge itself.
                i += 2;
            }
        }
    }

    /**
     * An offset in bits; for BITFIELD ({@code width} > 0) also {@code #n}, meaning n times the field's width.
     * What the target would refuse anyway (not a number, negative) is left to it.
     */
    private void checkBitOffset(byte[][] argv, long offsetAfter, byte[] arg, int width) {
        boolean times = width > 0 && arg.length > 1 && arg[0] == '#';
        long n = number(times ? Arrays.copyOfRange(arg, 1, arg.length) : arg);
        if (n < 0 || (times && n > Long.MAX_VALUE / width)) {
            return;
        }
        long bits = times ? n * width : n;
        if ((bits >> 3) >= maxBulk) {
            throw tooBig(argv, offsetAfter, "bit offset " + bits);
        }
    }

    private FerryException tooBig(byte[][] argv, long offsetAfter, String what) {
        return new FerryException("the source sent " + Command.describe(argv) + " at offset " + offsetAfter + " with "
                + what + ", past the target's proto-max-bulk-len (" + maxBulk + " bytes): the source's replicas"
                + " accept it from their master, but no client can write it; raise the limit on the target"
                + " (CONFIG SET proto-max-bulk-len, at least the source's) and start the sync again");
    }

    /** The width of a BITFIELD type ({@code i8}, {@code u16}...), or 0 when it is not one (then the offset is plain). */
    private static int bits(byte[] type) {
        if (type.length < 2 || (type[0] | 0x20) != 'i' && (type[0] | 0x20) != 'u') {
            return 0;
        }
        long n = number(Arrays.copyOfRange(type, 1, type.length));
        return n > 0 && n <= 64 ? (int) n : 0;
    }

    /** A decimal number, or -1 when {@code arg} is not one (the target then answers with its own error). */
    private static long number(byte[] arg) {
        try {
            return Long.parseLong(new String(arg, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether {@code arg} is {@code upper}, compared case-insensitively without allocating. */
    static boolean is(byte[] arg, String upper) {
        if (arg.length != upper.length()) {
            return false;
        }
        for (int i = 0; i < arg.length; i++) {
            int b = arg[i];
            if (b >= 'a' && b <= 'z') {
                b -= 'a' - 'A';
            }
            if (b != upper.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
