package dev.ferry.cluster;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the keys of one deployment live: a single server, or the masters of a Redis Cluster and the
 * slots each one serves (from {@code CLUSTER SLOTS}). Every node is reached with the credentials of the
 * URI the deployment was named by. Thread-safe: {@link #refresh()} swaps in a new slot map after a
 * {@code MOVED} reply, and readers see either the old or the new one.
 */
public final class Topology {

    private final RedisEndpoint seed;
    private final ServerInfo.Version version;
    private final boolean cluster;
    private volatile SlotMap slots;

    /** The slot owners and every node named by {@code CLUSTER SLOTS}; {@code owners[slot]} is null when no node serves it. */
    private record SlotMap(RedisEndpoint[] owners, List<RedisEndpoint> masters, List<RedisEndpoint> nodes) {
    }

    private Topology(RedisEndpoint seed, ServerInfo.Version version, boolean cluster, SlotMap slots) {
        this.seed = seed;
        this.version = version;
        this.cluster = cluster;
        this.slots = slots;
    }

    /**
     * Connects to {@code seed} and finds out whether it is a cluster node, and if so who serves which slots.
     *
     * @throws dev.ferry.FerryException the seed cannot be reached or refuses the credentials
     */
    public static Topology discover(RedisEndpoint seed) {
        try (RedisConnection conn = RedisConnection.open(seed)) {
            ServerInfo info = ServerInfo.fetch(conn);
            if (!info.isCluster()) {
                return new Topology(seed, info.version(), false, null);
            }
            return new Topology(seed, info.version(), true, readSlots(conn, seed));
        }
    }

    /**
     * The slot map as the cluster node {@code conn} is connected to sees it now ({@code CLUSTER SLOTS} only: cheap
     * enough to ask every second); its {@link #version()} is null.
     */
    public static Topology read(RedisConnection conn) {
        return new Topology(conn.endpoint(), null, true, readSlots(conn, conn.endpoint()));
    }

    /** The endpoint the deployment was named by. */
    public RedisEndpoint seed() {
        return seed;
    }

    /** The version of the seed node (null for a slot map {@link #read} from a connection). */
    public ServerInfo.Version version() {
        return version;
    }

    public boolean isCluster() {
        return cluster;
    }

    /** The servers that hold keys: the seed alone, or each cluster master that serves slots. */
    public List<RedisEndpoint> masters() {
        return cluster ? slots.masters() : List.of(seed);
    }

    /** Every server: the seed alone, or every master and replica {@code CLUSTER SLOTS} names. */
    public List<RedisEndpoint> nodes() {
        return cluster ? slots.nodes() : List.of(seed);
    }

    /** The server that holds {@code key}, or null when its slot is not served by any node. */
    public RedisEndpoint nodeFor(byte[] key) {
        return cluster ? slots.owners()[SlotHash.slot(key)] : seed;
    }

    /** The master serving {@code slot} (the seed for a standalone server), or null when none does. */
    public RedisEndpoint ownerOf(int slot) {
        return cluster ? slots.owners()[slot] : seed;
    }

    /** The slots {@code master} serves (every slot for a standalone server). */
    public BitSet slotsOf(RedisEndpoint master) {
        BitSet slotsOf = new BitSet(SlotHash.SLOTS);
        if (!cluster) {
            slotsOf.set(0, SlotHash.SLOTS);
            return slotsOf;
        }
        RedisEndpoint[] owners = slots.owners();
        for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
            if (master.equals(owners[slot])) {
                slotsOf.set(slot);
            }
        }
        return slotsOf;
    }

    /** Slot ranges no node serves, as {@code {first, last}} pairs; empty for a standalone server. */
    public List<int[]> uncoveredRanges() {
        List<int[]> ranges = new ArrayList<>();
        if (!cluster) {
            return ranges;
        }
        RedisEndpoint[] owners = slots.owners();
        int start = -1;
        for (int slot = 0; slot <= SlotHash.SLOTS; slot++) {
            boolean uncovered = slot < SlotHash.SLOTS && owners[slot] == null;
            if (uncovered && start < 0) {
                start = slot;
            } else if (!uncovered && start >= 0) {
                ranges.add(new int[] {start, slot - 1});
                start = -1;
            }
        }
        return ranges;
    }

    /** Reads the slot map again (after a {@code MOVED} reply), from any master that answers. */
    public void refresh() {
        if (!cluster) {
            return;
        }
        List<RedisEndpoint> candidates = new ArrayList<>(slots.masters());
        candidates.add(seed);
        RuntimeException last = null;
        for (RedisEndpoint node : candidates) {
            try (RedisConnection conn = RedisConnection.open(node)) {
                slots = readSlots(conn, seed);
                return;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new dev.ferry.FerryException("cannot refresh the cluster topology of " + seed.address() + ": " + last.getMessage(), last);
    }

    /** A short description: "standalone 7.0.15" or "cluster of 3 masters, 7.0.15". */
    public String describe() {
        return cluster ? "cluster of " + masters().size() + " masters, " + version : "standalone " + version;
    }

    private static SlotMap readSlots(RedisConnection conn, RedisEndpoint seed) {
        RespValue reply = conn.callChecked("CLUSTER", "SLOTS");
        RedisEndpoint[] owners = new RedisEndpoint[SlotHash.SLOTS];
        Set<RedisEndpoint> masters = new LinkedHashSet<>();
        Set<RedisEndpoint> nodes = new LinkedHashSet<>();
        for (RespValue range : ((RespValue.Array) reply).items()) {
            List<RespValue> items = ((RespValue.Array) range).items();
            int first = (int) items.get(0).asLong();
            int last = (int) items.get(1).asLong();
            RedisEndpoint master = endpointOf(items.get(2), seed);
            masters.add(master);
            nodes.add(master);
            Arrays.fill(owners, first, last + 1, master);
            for (int i = 3; i < items.size(); i++) {
                nodes.add(endpointOf(items.get(i), seed));
            }
        }
        return new SlotMap(owners, List.copyOf(masters), List.copyOf(nodes));
    }

    private static RedisEndpoint endpointOf(RespValue node, RedisEndpoint seed) {
        List<RespValue> items = ((RespValue.Array) node).items();
        String host = items.get(0).asText();
        // A node that does not know its own address reports "" (or "?"): it is the one we asked.
        if (host == null || host.isEmpty() || host.equals("?")) {
            host = seed.host();
        }
        return seed.withHostPort(host, (int) items.get(1).asLong());
    }
}
