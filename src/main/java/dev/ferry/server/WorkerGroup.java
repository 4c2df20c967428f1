package dev.ferry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryException;
import dev.ferry.cluster.Topology;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.RedisReplyException;
import dev.ferry.resp.RespValue;
import dev.ferry.metrics.ProcessGauge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The workers started with the same tasks and group name, dividing the tasks among themselves. Each worker records
 * itself every {@code ttl / 10} in a hash {@code __ferry:workers:{group}} of the coordinator (a Redis, by default the
 * first task's target), with an expiry read from the coordinator's clock; reads the live members back in the same
 * script; and runs the tasks {@link Assignment} gives it out of the same member list. The leases in the targets, not
 * this list, keep a task in one process: two workers that briefly disagree about the members only make one of them
 * wait for a lease. Each worker also publishes the summary of the tasks it runs in {@code __ferry:status:{group}}, so
 * that any worker's API shows every task of the group.
 *
 * <p>Threading: one thread of its own ticks; {@link #notReady} and {@link #remote} from any thread.
 */
public final class WorkerGroup implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerGroup.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records the worker until now + ttl on the coordinator's clock, drops expired members, returns the live ones. */
    private static final String JOIN = """
            local now = tonumber(ARGV[3])
            if redis.replicate_commands then
              redis.replicate_commands()
              local t = redis.call('time')
              now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            redis.call('hset', KEYS[1], ARGV[1], string.format('%d', now + tonumber(ARGV[2])))
            local all = redis.call('hgetall', KEYS[1])
            local live = {}
            for i = 1, #all, 2 do
              if tonumber(all[i + 1]) < now then redis.call('hdel', KEYS[1], all[i]) else live[#live + 1] = all[i] end
            end
            redis.call('pexpire', KEYS[1], tonumber(ARGV[2]) * 6)
            return live
            """;

    private final FerryServer server;
    private final RedisEndpoint coordinator;
    private final String workerId;
    private final Duration ttl;
    private final String membersKey;
    private final String statusKey;
    private final String desiredKey;
    private final ScheduledExecutorService ticker;
    private RedisConnection conn;
    /** The node that holds the group's keys: the coordinator, or the master of their slot in a cluster. */
    private RedisEndpoint home;
    private volatile List<String> members = List.of();
    /** When the member list last changed (System.nanoTime()). */
    private long stableSince;
    /** How long the member list must stay without a newcomer before tasks move: two ticks. */
    private final Duration settle;
    private volatile String notReady = "joining its group";
    private volatile Map<String, Map<String, Object>> remote = Map.of();
    private String lastProblem;
    private volatile boolean closed;

    /**
     * @param coordinator where the group's keys live (a cluster node is fine: the keys share one slot)
     * @param ttl how long a member stays without renewing; its tasks move after about this time
     */
    public WorkerGroup(FerryServer server, RedisEndpoint coordinator, String group, String workerId, Duration ttl) {
        this.server = server;
        this.coordinator = coordinator;
        this.workerId = workerId;
        this.ttl = ttl;
        this.settle = Duration.ofMillis(2 * tickMillis(ttl));
        this.membersKey = "__ferry:workers:{" + group + "}";
        this.statusKey = "__ferry:status:{" + group + "}";
        this.desiredKey = "__ferry:desired:{" + group + "}";
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-worker-group");
            t.setDaemon(true);
            return t;
        });
    }

    /** Joins at once and every {@code ttl / 10} after. */
    public void start() {
        ticker.scheduleWithFixedDelay(this::tick, 0, tickMillis(ttl), TimeUnit.MILLISECONDS);
    }

    private static long tickMillis(Duration ttl) {
        return Math.max(200, ttl.toMillis() / 10);
    }

    public String workerId() {
        return workerId;
    }

    /** Why this worker takes no task now (for {@code /readyz}), or null. */
    public String notReady() {
        return notReady;
    }

    /** The published summaries of the tasks other workers run, by task name. */
    public Map<String, Map<String, Object>> remote() {
        return remote;
    }

    /**
     * Records what the operator asks of {@code task} for the whole group ({@code running}, {@code paused} or
     * {@code stopped}): the worker that runs it applies it at its next tick, and a worker that takes it over later
     * finds it. Blocks on the coordinator (at most half the TTL).
     *
     * @throws dev.ferry.FerryException the coordinator cannot be reached: nothing changed
     */
    public synchronized void desire(String task, String desired) {
        try {
            connection().callChecked("HSET", desiredKey, task, desired);
        } catch (RuntimeException e) {
            closeConnection();
            throw new FerryException("cannot record it in the group's coordinator " + coordinator.address() + " ("
                    + e.getMessage() + "): nothing changed, try again");
        }
    }

    /**
     * The group as this worker sees it, for {@code /metrics}: {@code ferry_worker_group_members} (live workers),
     * {@code ferry_worker_tasks} (tasks running in this worker) and {@code ferry_worker_ready} (1 when it takes part
     * in the division, 0 while it cannot reach the coordinator); the caller labels them with the worker's id.
     */
    List<ProcessGauge> gauges(long tasksHere) {
        return List.of(
                new ProcessGauge("ferry_worker_group_members", "Workers of the group alive, as this worker last read them.",
                        members.size()),
                new ProcessGauge("ferry_worker_tasks", "Tasks running in this worker.", tasksHere),
                new ProcessGauge("ferry_worker_ready", "1 when this worker takes part in the division of the tasks, 0"
                        + " while it cannot (its coordinator out of reach, or not joined yet).", notReady == null ? 1 : 0));
    }

    private synchronized void tick() {
        if (closed) {
            return;
        }
        try {
            List<String> live = join();
            server.applyDesired(readDesired());
            if (!members.containsAll(live)) {
                // A worker joined: others may be joining with it. One that left needs no waiting: its tasks move now.
                stableSince = System.nanoTime();
            }
            members = live;
            // Workers started together (a Deployment's replicas) see each other within a tick or two: wait for the
            // member list to settle, so that the first one does not start every task only to hand most over.
            if (System.nanoTime() - stableSince >= settle.toNanos()) {
                server.place(Assignment.of(server.taskNames(), live), workerId);
            }
            publish();
            remote = readRemote(live);
            notReady = null;
            if (lastProblem != null) {
                log.info("worker {}: the coordinator {} answers again; members: {}", workerId, coordinator.address(), live);
                lastProblem = null;
            }
        } catch (RuntimeException e) {
            // The tasks go on under their leases; only the division waits for the coordinator.
            closeConnection();
            if (e instanceof RedisReplyException r && r.getMessage().contains("MOVED")) {
                home = null;
            }
            String problem = e.getMessage();
            notReady = "cannot reach the group's coordinator " + coordinator.address() + ": " + problem;
            if (!problem.equals(lastProblem)) {
                log.warn("worker {}: {}; the tasks it runs go on, the division of the tasks waits", workerId, notReady);
                lastProblem = problem;
            }
        }
    }

    private Map<String, String> readDesired() {
        List<RespValue> all = ((RespValue.Array) connection().callChecked("HGETALL", desiredKey)).items();
        Map<String, String> desired = new HashMap<>();
        for (int i = 0; i + 1 < all.size(); i += 2) {
            desired.put(all.get(i).asText(), all.get(i + 1).asText());
        }
        return desired;
    }

    private List<String> join() {
        RespValue reply = connection().callChecked("EVAL", JOIN, "1", membersKey, workerId, Long.toString(ttl.toMillis()),
                Long.toString(System.currentTimeMillis()));
        TreeSet<String> live = new TreeSet<>();
        for (RespValue v : ((RespValue.Array) reply).items()) {
            live.add(v.asText());
        }
        live.add(workerId);
        List<String> sorted = new ArrayList<>(live);
        if (!sorted.equals(members)) {
            log.info("worker {}: the group is now {} worker(s): {}", workerId, sorted.size(), sorted);
        }
        return sorted;
    }

    private void publish() {
        List<Object> command = new ArrayList<>(List.of("HSET", statusKey));
        for (ManagedTask t : server.tasks()) {
            if (t.runsHere()) {
                Map<String, Object> view = TaskViews.summary(t);
                view.put("worker", workerId);
                try {
                    command.add(t.name());
                    command.add(JSON.writeValueAsString(view));
                } catch (JsonProcessingException e) {
                    throw new FerryException("cannot write the status of task " + t.name() + ": " + e.getOriginalMessage());
                }
            }
        }
        if (command.size() > 2) {
            connection().callChecked(command.toArray());
        }
    }

    private Map<String, Map<String, Object>> readRemote(List<String> live) {
        List<RespValue> all = ((RespValue.Array) connection().callChecked("HGETALL", statusKey)).items();
        Map<String, Map<String, Object>> views = new HashMap<>();
        for (int i = 0; i + 1 < all.size(); i += 2) {
            try {
                Map<String, Object> view = JSON.readValue(all.get(i + 1).asText(), new TypeReference<>() { });
                // A summary of a worker that left is history, not state.
                if (live.contains(String.valueOf(view.get("worker"))) && !workerId.equals(view.get("worker"))) {
                    views.put(all.get(i).asText(), view);
                }
            } catch (JsonProcessingException e) {
                log.debug("unreadable status of task {}: {}", all.get(i).asText(), e.getOriginalMessage());
            }
        }
        return views;
    }

    private RedisConnection connection() {
        if (conn == null) {
            if (home == null) {
                Topology topology = Topology.discover(coordinator);
                home = topology.isCluster() ? topology.nodeFor(membersKey.getBytes(StandardCharsets.UTF_8)) : coordinator;
            }
            // Within half the TTL: a coordinator out of reach must not freeze the tick past the membership's expiry.
            Duration timeout = ttl.dividedBy(2);
            conn = RedisConnection.open(home, timeout, timeout, "group");
        }
        return conn;
    }

    private void closeConnection() {
        RedisConnection c = conn;
        conn = null;
        if (c != null) {
            c.close();
        }
    }

    /**
     * Leaves the group: stops the tick and removes this worker from the member list, so that the others take its
     * tasks at their next tick instead of after the TTL. The caller stops the tasks (which releases their leases).
     */
    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection().callChecked("HDEL", membersKey, workerId);
            log.info("worker {} left its group", workerId);
        } catch (RuntimeException e) {
            log.warn("worker {}: could not leave its group ({}): the others take its tasks after {} s", workerId,
                    e.getMessage(), ttl.toSeconds());
        } finally {
            closeConnection();
        }
    }
}
