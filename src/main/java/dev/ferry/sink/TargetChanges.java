package dev.ferry.sink;

import dev.ferry.FerryException;
import dev.ferry.resp.ErrorKind;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RespValue;
import dev.ferry.cluster.Redirect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link ClusterWriter} does when the target cluster changes under it, and what it tells the user: how
 * long to wait before sending refused commands again, when the slot map must be read again, whether a
 * {@code MOVED} is a reshard (followed) or a failover (the attempt ends), and one log line per change (slots
 * moved between which masters, writes sent again) instead of one per refused command: a reshard of a
 * thousand slots is logged as a few lines, at most one every {@value #LOG_EVERY_MS} ms. Producer thread only.
 */
final class TargetChanges {

    private static final Logger log = LoggerFactory.getLogger(TargetChanges.class);

    /** How long the cluster may keep refusing (a migration, a cluster down during a failover) before the attempt ends. */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
    private static final long LOG_EVERY_MS = 2000;
    private static final long MAX_BACKOFF_MS = 500;

    private final RedisEndpoint seed;
    /** Slots moved since the last log line, by "old -> new" master. */
    private final Map<String, TreeSet<Integer>> moved = new LinkedHashMap<>();
    private final Map<ErrorKind, Long> sentAgain = new EnumMap<>(ErrorKind.class);
    private long waitedMs;
    private boolean pending;
    private long loggedAt;

    TargetChanges(RedisEndpoint seed) {
        this.seed = seed;
    }

    /** Starts handling one batch of refusals. */
    Round round() {
        return new Round();
    }

    /** Logs what changed since the last line, if anything. */
    void log() {
        if (!pending) {
            return;
        }
        StringBuilder sb = new StringBuilder("target cluster changed:");
        for (Map.Entry<String, TreeSet<Integer>> e : moved.entrySet()) {
            sb.append(' ').append(e.getValue().size()).append(" slot(s) ").append(ranges(e.getValue()))
                    .append(" moved ").append(e.getKey()).append(';');
        }
        long total = sentAgain.values().stream().mapToLong(Long::longValue).sum();
        sb.append(' ').append(total).append(" write(s) the cluster had not run were sent again, in order (");
        StringBuilder kinds = new StringBuilder();
        sentAgain.forEach((kind, n) -> kinds.append(kinds.length() == 0 ? "" : ", ").append(kind).append(' ').append(n));
        sb.append(kinds).append(')');
        if (waitedMs > 0) {
            sb.append(", after waiting ").append(waitedMs).append(" ms for the cluster to settle");
        }
        if (moved.isEmpty()) {
            log.debug(sb.toString());
        } else {
            log.info(sb.toString());
        }
        moved.clear();
        sentAgain.clear();
        waitedMs = 0;
        pending = false;
        loggedAt = System.currentTimeMillis();
    }

    /** "0-99,512" for a set of slots. */
    static String ranges(TreeSet<Integer> slots) {
        StringBuilder sb = new StringBuilder();
        Integer start = null;
        Integer prev = null;
        for (int s : slots) {
            if (prev != null && s == prev + 1) {
                prev = s;
                continue;
            }
            if (start != null) {
                sb.append(sb.length() == 0 ? "" : ",").append(start.equals(prev) ? start.toString() : start + "-" + prev);
            }
            start = s;
            prev = s;
        }
        if (start != null) {
            sb.append(sb.length() == 0 ? "" : ",").append(start.equals(prev) ? start.toString() : start + "-" + prev);
        }
        return sb.toString();
    }

    /** One round of sending refused commands again, until the cluster runs them all. */
    final class Round {

        private final long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        private final Set<RedisEndpoint> checkedRole = new HashSet<>();
        private long backoffMs = 5;
        private int passes;

        /** Whether a refusal of this kind means the slot map is stale. */
        boolean needsSlotMap(ErrorKind kind) {
            return kind == ErrorKind.MOVED || kind == ErrorKind.CLUSTERDOWN || kind == ErrorKind.READONLY
                    || kind == ErrorKind.MASTERDOWN || kind == ErrorKind.NOMASTERLINK;
        }

        /**
         * Waits before sending again when the cluster asked for it (or refuses again and again), and gives up
         * when it has not settled in {@link #SETTLE_TIMEOUT}.
         */
        void waitBeforeRetry(List<Returned> back) {
            passes++;
            String last = null;
            boolean wait = passes > 1;
            for (Returned returned : back) {
                Refused r = returned.refused();
                last = r.reply();
                ErrorKind k = r.kind();
                if (k == ErrorKind.READONLY) {
                    throw failedOver(returned.from(), r.reply());
                }
                wait |= k != ErrorKind.MOVED && k != ErrorKind.ASK;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TargetChangedException("the target cluster " + seed.address() + " kept refusing writes for "
                        + SETTLE_TIMEOUT.toSeconds() + " s (last: " + last + "): starting over from the checkpoints");
            }
            if (wait) {
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new FerryException("interrupted while waiting for the target cluster", e);
                }
                waitedMs += backoffMs;
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            }
        }

        /**
         * A {@code MOVED} from {@code from}: if that node is no longer a master, its slots failed over, and its
         * replica may lack writes it acknowledged. Asked once per node and round.
         */
        void checkNotFailedOver(RedisEndpoint from, Redirect to) {
            if (from == null || !checkedRole.add(from)) {
                return;
            }
            String role;
            try (RedisConnection conn = RedisConnection.open(from, Duration.ofSeconds(2), Duration.ofSeconds(2))) {
                RespValue reply = conn.callChecked("ROLE");
                role = ((RespValue.Array) reply).items().get(0).asText();
            } catch (RuntimeException e) {
                throw failedOver(from, "MOVED " + to.slot() + " " + to.node().address() + ", then unreachable");
            }
            if (!role.equals("master")) {
                throw failedOver(from, "MOVED " + to.slot() + " " + to.node().address() + ", now a " + role);
            }
        }

        TargetChangedException failedOver(RedisEndpoint from, String reply) {
            log();
            String who = from == null ? "a master" : "master " + from.address();
            log.warn("target cluster {}: {} failed over ({}); a failover may lose writes the old master acknowledged,"
                    + " so this attempt ends and the next resumes from the checkpoints the new masters hold", seed.address(),
                    who, reply);
            return new TargetChangedException("target " + who + " failed over (" + reply + "): resuming from the"
                    + " checkpoints the target holds");
        }

        void slotMoved(int slot, RedisEndpoint from, RedisEndpoint to) {
            String key = (from == null ? "(none)" : from.address()) + " -> " + (to == null ? "(none)" : to.address());
            moved.computeIfAbsent(key, k -> new TreeSet<>()).add(slot);
        }

        void sentAgain(Refused r) {
            sentAgain.merge(r.kind(), (long) r.size(), Long::sum);
        }

        /** The cluster ran everything: there is something to log. */
        void end() {
            pending = true;
            tick();
        }
    }

    /** Logs what changed, unless a line went out less than {@link #LOG_EVERY_MS} ago (then a later tick does). */
    void tick() {
        if (pending && System.currentTimeMillis() - loggedAt >= LOG_EVERY_MS) {
            log();
        }
    }

    /** What a master did not run, and which master that was. */
    record Returned(RedisEndpoint from, Refused refused) {
    }
}
