package dev.ferry.cluster;

import dev.ferry.FerryException;
import dev.ferry.resp.KeyText;
import dev.ferry.resp.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a whole value with {@code DUMP} and its expiry, and builds the {@code RESTORE} that copies it under another
 * name, in another slot: the expiry read with {@code PEXPIRETIME} and restored with {@code ABSTTL} on 7.0+
 * (exact), read with {@code PTTL} and restored relative before (off by the time until the {@code RESTORE} runs,
 * a millisecond or so). The payload and the expiry are read in one {@code MULTI}, so they belong together. One
 * payload is held in memory at a time: a value's serialized size, at most Redis's {@code proto-max-bulk-len}
 * (512 MiB). Blocking, not thread-safe (it uses the caller's client).
 */
final class ValueCopy {

    /** A value read with {@code DUMP}: its payload and its expiry (-1: none; absolute ms or a PTTL, see {@link ValueCopy}). */
    record Dumped(byte[] payload, long expiry) {
    }

    private final ClusterClient client;
    private final boolean absoluteExpiry;

    ValueCopy(ClusterClient client) {
        this.client = client;
        this.absoluteExpiry = client.topology().version().atLeast(7, 0);
    }

    /** The value of {@code key}, or null when there is none. */
    Dumped dump(byte[] key) {
        RespValue reply = client.transaction(key, List.of(new Object[] {"DUMP", key},
                new Object[] {absoluteExpiry ? "PEXPIRETIME" : "PTTL", key}));
        List<RespValue> items = replies(reply, "DUMP", key);
        if (!(items.get(0) instanceof RespValue.Bulk bulk) || bulk.bytes() == null) {
            return null;
        }
        return new Dumped(bulk.bytes(), items.get(1).asLong());
    }

    /**
     * {@code RESTORE key …} of {@code value}: with {@code REPLACE} when {@code replace}, and with the expiry it had
     * when {@code keepExpiry} (without one otherwise). Without {@code REPLACE} the target answers {@code BUSYKEY}
     * when the key exists.
     */
    byte[][] restoreArgs(byte[] key, Dumped value, boolean replace, boolean keepExpiry) {
        long ttl = !keepExpiry || value.expiry() < 0 ? 0 : value.expiry();
        if (keepExpiry && !absoluteExpiry && value.expiry() == 0) {
            // PTTL 0: it expires now; 0 would mean "never", so the smallest positive TTL keeps its meaning.
            ttl = 1;
        }
        List<byte[]> command = new ArrayList<>(List.of(ascii("RESTORE"), key, ascii(Long.toString(ttl)), value.payload()));
        if (replace) {
            command.add(ascii("REPLACE"));
        }
        if (absoluteExpiry && ttl > 0) {
            command.add(ascii("ABSTTL"));
        }
        return command.toArray(new byte[0][]);
    }

    static List<RespValue> replies(RespValue exec, String what, byte[] key) {
        if (exec instanceof RespValue.Array array && array.items() != null) {
            for (RespValue item : array.items()) {
                if (item instanceof RespValue.Error e) {
                    throw new FerryException("the target refused " + what + " of " + KeyText.quoted(key) + ": " + e.message());
                }
            }
            return array.items();
        }
        throw new FerryException("the target refused " + what + " of " + KeyText.quoted(key) + ": " + exec.asText());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
