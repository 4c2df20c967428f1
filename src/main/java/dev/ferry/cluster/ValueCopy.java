package dev.ferry.cluster;

import dev.ferry.FerryException;
import dev.ferry.resp.KeyText;
import dev.ferry.resp.RespValue;

import java.util.ArrayList;
import java.util.List;

/**
 * Copies a whole value between slots with {@code DUMP} and {@code RESTORE}, its expiry kept: read with
 * {@code PEXPIRETIME} and restored with {@code ABSTTL} on 7.0+ (exact), read with {@code PTTL} and restored
 * relative before (off by the round trip, a millisecond or so). The payload and the expiry are read in one
 * {@code MULTI}, so they belong together. One payload is held in memory at a time: a value's serialized size,
 * at most Redis's {@code proto-max-bulk-len} (512 MiB). Blocking, not thread-safe (it uses the caller's client).
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
     * Restores {@code value} under {@code key}, with the expiry it had.
     *
     * @return the reply: {@code OK}, or {@code BUSYKEY} when the key exists and {@code replace} is false
     */
    RespValue restore(byte[] key, Dumped value, boolean replace) {
        long ttl = value.expiry() < 0 ? 0 : value.expiry();
        if (!absoluteExpiry && value.expiry() == 0) {
            // PTTL 0: it expires now; 0 would mean "never", so the smallest positive TTL keeps its meaning.
            ttl = 1;
        }
        List<Object> command = new ArrayList<>(List.of("RESTORE", key, ttl, value.payload()));
        if (replace) {
            command.add("REPLACE");
        }
        if (absoluteExpiry && ttl > 0) {
            command.add("ABSTTL");
        }
        return client.call(key, command.toArray());
    }

    /** Restores {@code value} under a temporary name that expires by itself after {@code ttlMillis}. */
    void restoreTemporary(byte[] key, Dumped value, long ttlMillis) {
        RespValue reply = client.call(key, "RESTORE", key, ttlMillis, value.payload(), "REPLACE");
        if (reply instanceof RespValue.Error e) {
            throw new FerryException("the target refused a temporary copy " + KeyText.quoted(key) + ": " + e.message());
        }
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
}
