package dev.ferry.checkpoint;

import dev.ferry.FerryException;
import dev.ferry.cluster.Redirect;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RedisReplyException;
import dev.ferry.resp.RespValue;
import dev.ferry.sink.FencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One owner per task: a lease stored in the target beside the task's checkpoint, {@code __ferry:lease:<task>}
 * = {@code <token> <host> <pid> <since-ms>} with a TTL, renewed while the task runs, and a fence key
 * {@code __ferry:fence:<task>} that every new owner increments.
 *
 * <p>Every checkpointed transaction starts with {@link #guard()}: {@code WATCH} the fence, then a script
 * that increments the fence itself unless the lease is this process's. A takeover before the
 * {@code WATCH} is seen by the script, one after it by the {@code WATCH}: either way the target aborts the
 * transaction ({@code EXEC} answers nil), so a process that lost its lease (stopped by the OS,
 * partitioned, a zombie) cannot apply a single write once another took over. Writes outside transactions
 * (the snapshot) are held back by the lease's own clock ({@link #awaitValid}).
 *
 * <p>A lease that expired without anyone taking it over is simply taken back by its holder (a target
 * that stalled longer than the TTL must not end the task). A second process waits while the lease
 * expires; if the holder renews it meanwhile, the second process refuses to start; if the holder is a
 * dead process of this same host, it takes over at once.
 *
 * <p>Threading: {@link #acquire} and {@link #release} on the task's thread; renewals on the shared {@link dev.ferry.Timers};
 * {@link #checkValid}, {@link #awaitValid} and {@link #lost} from any thread.
 */
public final class TaskLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskLease.class);
    /** Held back before the TTL runs out: clocks of the two machines may drift while a renewal travels. */
    private static final long SAFETY_MS = 1000;

    private static final String ACQUIRE = """
            local v = redis.call('get', KEYS[1])
            local mine = v and string.sub(v, 1, string.len(ARGV[1])) == ARGV[1]
            if v and not mine and v ~= ARGV[4] then
              return {v, redis.call('pttl', KEYS[1])}
            end
            if redis.replicate_commands then redis.replicate_commands() end
            if not mine then redis.call('incrby', KEYS[2], ARGV[5]) end
            redis.call('set', KEYS[1], ARGV[2], 'px', ARGV[3])
            return tonumber(redis.call('get', KEYS[2]) or '0')
            """;
    /** Renews the lease; one that expired is taken back only if no other process took it meanwhile (the fence). */
    private static final String RENEW = """
            local v = redis.call('get', KEYS[1])
            if v and string.sub(v, 1, string.len(ARGV[1])) ~= ARGV[1] then return v end
            local f = redis.call('get', KEYS[2])
            if not v and f and f ~= ARGV[4] then return 'FENCE ' .. f end
            if redis.replicate_commands then redis.replicate_commands() end
            if v then redis.call('pexpire', KEYS[1], ARGV[3]) else redis.call('set', KEYS[1], ARGV[2], 'px', ARGV[3]) end
            if not f then redis.call('set', KEYS[2], ARGV[4]) end
            return 1
            """;
    private static final String CHECK = """
            local v = redis.call('get', KEYS[1])
            if v and string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] then return 1 end
            if redis.replicate_commands then redis.replicate_commands() end
            local f = redis.call('get', KEYS[2])
            if not v and (not f or f == ARGV[4]) then
              redis.call('set', KEYS[1], ARGV[2], 'px', ARGV[3])
              return 1
            end
            redis.call('incr', KEYS[2])
            return redis.error_reply('FERRYFENCED ' .. (v or 'another process took the task over, then let it go'))
            """;
    private static final String SET_IF_OWNER = """
            local v = redis.call('get', KEYS[1])
            if not v or string.sub(v, 1, string.len(ARGV[1])) ~= ARGV[1] then return 0 end
            if redis.replicate_commands then redis.replicate_commands() end
            redis.call('set', KEYS[2], ARGV[2])
            return 1
            """;
    private static final String RELEASE = """
            local v = redis.call('get', KEYS[1])
            if v and string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] then
              if redis.replicate_commands then redis.replicate_commands() end
              redis.call('del', KEYS[1])
            end
            return 1
            """;

    private final String taskId;
    /** Where the lease lives: the master of its slot on a cluster target, which a reshard or failover may change. */
    private volatile RedisEndpoint target;
    private final Duration ttl;
    private final String key;
    private final String fenceKey;
    private final String tokenPrefix;
    private final String value;
    private volatile dev.ferry.Timers.Job renewer;
    private volatile boolean started;
    /** The target refuses scripts (some managed services): nothing is enforced, and the log says so. */
    private volatile boolean unsupported;
    private volatile long validUntilNanos;
    private volatile FerryException lost;
    /**
     * The fence when this process took the lease: a lease found missing (expired) is taken back only while the
     * fence still reads this, since another process that took it over and then let it go (a handover) raised it.
     */
    private volatile String fence = "0";
    /**
     * Each new holder raises the fence by a random step (1 to 2^20) rather than by one: a target that lost its data
     * (restarted empty) starts the fence again, and a former holder must not find "its" value there by chance; a
     * fence that is missing altogether (that restart, nobody took the task since) lets the holder take its lease
     * back, as before. The steps keep the fence exact in a script's numbers (below 2^53) for billions of takeovers.
     */
    private static final SecureRandom RANDOM = new SecureRandom();
    private RedisConnection renewConn;

    public TaskLease(String taskId, RedisEndpoint target, Duration ttl) {
        this(taskId, ControlKeys.standalone(taskId), target, ttl);
    }

    /**
     * A lease under the names {@code keys}, renewed on {@code target}: on a cluster target, the master of the
     * keys' slot.
     */
    public TaskLease(String taskId, ControlKeys keys, RedisEndpoint target, Duration ttl) {
        if (ttl.toMillis() < 2 * SAFETY_MS) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: >= " + 2 * SAFETY_MS + " ms)");
        }
        this.taskId = taskId;
        this.target = target;
        this.ttl = ttl;
        this.key = keys.lease();
        this.fenceKey = keys.fence();
        byte[] token = new byte[8];
        new SecureRandom().nextBytes(token);
        this.tokenPrefix = HexFormat.of().formatHex(token) + " ";
        this.value = tokenPrefix + hostName() + " " + ProcessHandle.current().pid() + " " + System.currentTimeMillis();
    }

    /**
     * The lease's slot is now served by {@code home} (a cluster target's slot map read again): renewals go there.
     * Thread-safe.
     */
    public void moveTo(RedisEndpoint home) {
        if (!home.equals(target)) {
            log.info("task {}: its lease {} now lives on {}", taskId, key, home.address());
            target = home;
            RedisConnection c = renewConn;
            if (c != null) {
                c.close();
            }
        }
    }

    /** The lease key, for messages. */
    public String key() {
        return key;
    }

    /**
     * Takes the lease, or confirms it is still this process's (after a lost connection). If another live
     * process holds it, throws; if its holder may be gone, waits for it to expire (at most the TTL).
     *
     * @param cancelled polled while waiting: a stop request ends the wait (with an exception)
     * @throws FerryException another process runs the task, or it took the task over from this one
     */
    public void acquire(RedisConnection admin, BooleanSupplier cancelled) {
        String takeOver = "";
        long lastTtl = Long.MAX_VALUE;
        long waitUntil = 0;
        while (true) {
            long sentAt = System.nanoTime();
            RespValue reply;
            try {
                reply = eval(admin, ACQUIRE, 2, key, fenceKey, tokenPrefix, value, Long.toString(ttl.toMillis()), takeOver,
                        Integer.toString(1 + RANDOM.nextInt(1 << 20)));
            } catch (RedisReplyException e) {
                if (!refusesScripts(e)) {
                    throw e;
                }
                if (!unsupported) {
                    log.warn("the target refuses EVAL ({}): task {} runs without a lease, so nothing stops a second"
                            + " process from running it at the same time", e.reply(), taskId);
                }
                unsupported = true;
                return;
            }
            if (reply instanceof RespValue.Integer f) {
                fence = Long.toString(f.value());
                validUntilNanos = sentAt + TimeUnit.MILLISECONDS.toNanos(ttl.toMillis() - SAFETY_MS);
                startRenewing();
                return;
            }
            if (started) {
                throw lose(holderOf(reply));
            }
            List<RespValue> held = ((RespValue.Array) reply).items();
            Holder holder = Holder.parse(held.get(0).asText());
            long pttl = ((RespValue.Integer) held.get(1)).value();
            if (holder.isDeadProcessOfThisHost()) {
                log.info("task {}: the process that held it (pid {}) is gone; taking over its lease", taskId, holder.pid);
                takeOver = held.get(0).asText();
                continue;
            }
            long now = System.currentTimeMillis();
            if (waitUntil == 0) {
                waitUntil = now + ttl.toMillis() + SAFETY_MS;
                log.info("task {} is held by {}; waiting up to {} s for its lease to expire", taskId, holder,
                        (waitUntil - now + 999) / 1000);
            } else if (pttl > lastTtl || now > waitUntil) {
                throw new LeaseHeldException("task " + taskId + " is running on " + holder + ": a task runs in one process"
                        + " at a time; stop that one first (its lease " + key + " in the target expires "
                        + ttl.toSeconds() + " s after it stops)");
            }
            lastTtl = pttl;
            sleep(250, cancelled);
        }
    }

    /**
     * The commands that start every checkpointed transaction, before its {@code MULTI}, in database 0:
     * {@code WATCH} the fence, then the check that aborts the transaction unless the lease is this process's.
     */
    public byte[][][] guard() {
        if (unsupported) {
            return new byte[0][][];
        }
        return new byte[][][] {
            {ascii("WATCH"), ascii(fenceKey)},
            {ascii("EVAL"), ascii(CHECK), ascii("2"), ascii(key), ascii(fenceKey), ascii(tokenPrefix), ascii(value),
                ascii(Long.toString(ttl.toMillis())), ascii(fence)},
        };
    }

    /**
     * The commands that set the lease and the fence back as this process holds them, for a transaction that has just
     * emptied database 0 (a full resync owning the target); none where the target refuses scripts.
     */
    public byte[][][] afterFlush() {
        if (unsupported) {
            return new byte[0][][];
        }
        return new byte[][][] {
            {ascii("SET"), ascii(key), ascii(value), ascii("PX"), ascii(Long.toString(ttl.toMillis()))},
            {ascii("SET"), ascii(fenceKey), ascii(fence)},
        };
    }

    /** Throws when the lease is lost, or not renewed within its TTL (retriable: the target may be away). */
    public void checkValid() {
        if (unsupported) {
            return;
        }
        FerryException e = lost;
        if (e != null) {
            throw e;
        }
        if (System.nanoTime() - validUntilNanos > 0) {
            throw new RedisConnectionException("task " + taskId + ": its lease could not be renewed for "
                    + ttl.toSeconds() + " s (is the target reachable?)", null);
        }
    }

    /**
     * Waits until the lease is valid, at most {@code timeout}; for writes outside transactions, which the
     * target cannot fence.
     */
    public void awaitValid(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!unsupported && lost == null && System.nanoTime() - validUntilNanos > 0 && System.nanoTime() < deadline) {
            sleep(50, () -> false);
        }
        checkValid();
    }

    /**
     * Whether this process may not write for the task now: the lease lost, or not renewed within its TTL (the process
     * was paused, or the target is out of reach). False before the lease is first taken and where scripts are refused.
     */
    public boolean lapsed() {
        return started && !unsupported && (lost != null || System.nanoTime() - validUntilNanos > 0);
    }

    /** The error that took the lease away, or null. */
    public FerryException lost() {
        return lost;
    }

    /** Sets {@code key} to {@code value} in database 0 if this process still holds the lease; says whether it did. */
    public boolean setIfOwner(RedisConnection admin, byte[] targetKey, byte[] newValue) {
        admin.callChecked("SELECT", Integer.toString(CheckpointStore.DB));
        if (unsupported) {
            admin.callChecked("SET", targetKey, newValue);
            return true;
        }
        RespValue r = admin.callChecked("EVAL", SET_IF_OWNER, "2", key, targetKey, tokenPrefix, newValue);
        return r instanceof RespValue.Integer i && i.value() == 1;
    }

    /** Gives the lease up (a clean stop), so that the next process starts at once. */
    public void release(RedisConnection admin) {
        if (unsupported) {
            return;
        }
        eval(admin, RELEASE, 1, key, tokenPrefix);
    }

    @Override
    public void close() {
        dev.ferry.Timers.Job r = renewer;
        if (r != null) {
            r.close();
        }
        RedisConnection c = renewConn;
        if (c != null) {
            c.close();
        }
    }

    private void startRenewing() {
        if (started) {
            return;
        }
        started = true;
        long period = Math.max(200, ttl.toMillis() / 4);
        renewer = dev.ferry.Timers.every("ferry-lease-" + taskId, Duration.ofMillis(period), Duration.ofMillis(period), this::renew);
    }

    private void renew() {
        try {
            if (renewConn == null || renewConn.isClosed()) {
                renewConn = RedisConnection.open(target, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ttl, "lease");
            }
            long sentAt = System.nanoTime();
            RespValue r;
            try {
                r = eval(renewConn, RENEW, 2, key, fenceKey, tokenPrefix, value, Long.toString(ttl.toMillis()), fence);
            } catch (RedisReplyException e) {
                Redirect moved = Redirect.parse(e.reply(), target);
                if (moved == null || !moved.moved()) {
                    throw e;
                }
                // A reshard moved the lease's slot: renew on its new master at once.
                moveTo(moved.node());
                renewConn = RedisConnection.open(target, RedisConnection.DEFAULT_CONNECT_TIMEOUT, ttl, "lease");
                r = eval(renewConn, RENEW, 2, key, fenceKey, tokenPrefix, value, Long.toString(ttl.toMillis()), fence);
            }
            if (r instanceof RespValue.Integer) {
                validUntilNanos = sentAt + TimeUnit.MILLISECONDS.toNanos(ttl.toMillis() - SAFETY_MS);
            } else {
                lost = r instanceof RespValue.Bulk b && b.asText().startsWith("FENCE ")
                        ? lose("and let it go again while this one could not renew: fence " + b.asText().substring(6)
                        + ", this process's " + fence)
                        : lose(holderOf(r));
                renewer.stop();
            }
        } catch (RuntimeException e) {
            log.debug("task {}: lease renewal failed: {}", taskId, e.getMessage());
            if (renewConn != null) {
                renewConn.close();
                renewConn = null;
            }
        }
    }

    /** Scripts disabled or not permitted for this user: EVAL unknown, renamed away, or refused by ACL. */
    private static boolean refusesScripts(RedisReplyException e) {
        String r = e.reply();
        return e.code().equals("NOPERM") || r.contains("unknown command") || r.contains("disabled");
    }

    private FencedException lose(String holder) {
        return new FencedException("task " + taskId + ": another process took the task over (" + holder + "); this"
                + " process lost its lease and stops without applying anything more");
    }

    private static String holderOf(RespValue reply) {
        String v = reply instanceof RespValue.Array a ? a.items().get(0).asText() : reply.asText();
        return Holder.parse(v).toString();
    }

    private static RespValue eval(RedisConnection conn, String script, int keys, String... args) {
        Object[] cmd = new Object[3 + args.length];
        cmd[0] = "EVAL";
        cmd[1] = script;
        cmd[2] = Integer.toString(keys);
        System.arraycopy(args, 0, cmd, 3, args.length);
        conn.callChecked("SELECT", Integer.toString(CheckpointStore.DB));
        return conn.callChecked(cmd);
    }

    private static void sleep(long ms, BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw new FerryException("stopped while waiting for the task's lease");
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting for the task's lease", e);
        }
    }

    /** This host's name, looked up once (a slow resolver must not slow every lease check). */
    private static String hostName() {
        return HostName.VALUE;
    }

    private static final class HostName {
        static final String VALUE = lookUp();
    }

    private static String lookUp() {
        try {
            return InetAddress.getLocalHost().getHostName().replace(' ', '_');
        } catch (Exception e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown-host" : env.replace(' ', '_');
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Who holds a lease, from its value. */
    private record Holder(String host, long pid, long since) {
        static Holder parse(String value) {
            String[] f = value == null ? new String[0] : value.split(" ");
            try {
                return new Holder(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]));
            } catch (RuntimeException e) {
                return new Holder("an unknown host", -1, -1);
            }
        }

        boolean isDeadProcessOfThisHost() {
            return pid > 0 && host.equals(hostName()) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        }

        @Override
        public String toString() {
            return "host " + host + (pid > 0 ? " (pid " + pid + ")" : "")
                    + (since > 0 ? " since " + Instant.ofEpochMilli(since) : "");
        }
    }
}
