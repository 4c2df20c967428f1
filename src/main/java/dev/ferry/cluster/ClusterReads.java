package dev.ferry.cluster;

import dev.ferry.FerryException;
import dev.ferry.resp.KeyText;
import dev.ferry.resp.RespValue;

/**
 * The reads a {@link CrossSlotPlan} is built from, on the masters of a cluster through a {@link ClusterClient}.
 * A read the target refuses ({@code WRONGTYPE}: the target's key is not what the source's command expects) stops
 * with a {@link FerryException}. Each read looks in the database it was made for (the client is switched to it).
 * Blocking, not thread-safe: it uses the caller's client, on the caller's thread.
 */
public final class ClusterReads implements CrossSlotPlan.Reads {

    private final ClusterClient client;
    private final ValueCopy copy;
    private final int db;

    /** Reads in database 0. */
    public ClusterReads(ClusterClient client) {
        this(client, 0);
    }

    /** Reads in database {@code db} (a Valkey 9 cluster's {@code cluster-databases}). */
    public ClusterReads(ClusterClient client, int db) {
        this.client = client;
        this.copy = new ValueCopy(client);
        this.db = db;
    }

    @Override
    public byte[][] copyOf(byte[] from, byte[] to, boolean replace, boolean keepExpiry) {
        client.select(db);
        ValueCopy.Dumped value = copy.dump(from);
        return value == null ? null : copy.restoreArgs(to, value, replace, keepExpiry);
    }

    @Override
    public byte[] end(byte[] key, boolean left) {
        RespValue reply = checked(key, "LINDEX", key, left ? "0" : "-1");
        return reply instanceof RespValue.Bulk bulk ? bulk.bytes() : null;
    }

    @Override
    public boolean has(byte[] key, byte[] member) {
        return checked(key, "SISMEMBER", key, member).asLong() == 1;
    }

    @Override
    public boolean exists(byte[] key) {
        return checked(key, "EXISTS", key).asLong() == 1;
    }

    private RespValue checked(byte[] key, Object... command) {
        client.select(db);
        RespValue reply = client.call(key, command);
        if (reply instanceof RespValue.Error e) {
            throw new FerryException("the target refused " + command[0] + " of " + KeyText.quoted(key) + ": "
                    + e.message());
        }
        return reply;
    }
}
