package dev.ferry.server;

import dev.ferry.FerryException;
import dev.ferry.metrics.FerryMetrics;
import dev.ferry.metrics.MeteredTask;
import dev.ferry.precheck.PrecheckReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The tasks of one {@code ferry server} process, in one place: what the API drives and what a metrics registry
 * reads ({@link #tasks()}). Tasks come from the store (the data directory), the {@code --config} file and the
 * API; each runs on its own thread, so one task's failure never stops another. A watcher thread records each
 * task's events every {@value #OBSERVE_MS} ms. Thread-safe.
 */
public final class FerryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FerryServer.class);
    private static final long OBSERVE_MS = 500;

    private final TaskStore store;
    private final TaskPlanner planner;
    private final Map<String, ManagedTask> tasks = new ConcurrentSkipListMap<>();
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-server-watch");
        t.setDaemon(true);
        return t;
    });

    private final FerryMetrics metrics;
    private volatile boolean started;
    private volatile WorkerGroup group;

    public FerryServer(TaskStore store, TaskPlanner planner) {
        this.store = store;
        this.planner = planner;
        // Labelled by the server's task names; a task's shards are its engine's, none while it has no engine.
        this.metrics = new FerryMetrics(() -> tasks.values().stream()
                .map(t -> new MeteredTask(t.name(), t::shards)).toList());
    }

    /** The Prometheus metrics of every task of the server, as {@code /metrics} serves them. */
    public FerryMetrics metrics() {
        return metrics;
    }

    /**
     * Loads the stored tasks, adds or updates those of the config file (a task the file defines again keeps what
     * the operator last asked of it: paused stays paused), and starts every task as stored.
     */
    public void start(List<TaskDefinition> fromConfig) {
        Map<String, StoredTask> stored = new ConcurrentSkipListMap<>();
        for (StoredTask t : store.loadAll()) {
            stored.put(t.name(), t);
        }
        for (TaskDefinition d : fromConfig) {
            StoredTask before = stored.get(d.name());
            StoredTask next = before == null
                    ? new StoredTask(d.name(), d.options(), StoredTask.RUNNING, false, false, "config")
                    : new StoredTask(d.name(), d.options(), before.desired(), before.freshSync(), before.skipPrecheck(),
                    "config");
            if (!next.equals(before)) {
                store.save(next);
            }
            stored.put(d.name(), next);
        }
        for (StoredTask t : stored.values()) {
            ManagedTask task = new ManagedTask(t, planner, store);
            tasks.put(t.name(), task);
            if (group != null) {
                // The group's first reading of its members decides where it runs.
                task.awaitPlacement(group);
                continue;
            }
            try {
                task.startAsStored();
            } catch (RuntimeException e) {
                log.error("task {} could not start: {}", t.name(), e.getMessage());
            }
        }
        watcher.scheduleWithFixedDelay(this::observeAll, 0, OBSERVE_MS, TimeUnit.MILLISECONDS);
        started = true;
        if (group != null) {
            group.start();
            log.info("ferry worker {}: {} task(s) shared with the group", group.workerId(), tasks.size());
            return;
        }
        log.info("ferry server: {} task(s)", tasks.size());
    }

    /** Why this server cannot take work yet (for {@code /readyz}), or null when it can. */
    public String notReady() {
        WorkerGroup g = group;
        return !started ? "loading its tasks" : g != null ? g.notReady() : null;
    }

    /**
     * Makes this server one worker of {@code group}: its tasks start only when the group assigns them here
     * ({@link #place}), the others show what the worker running them publishes. Before {@link #start}.
     */
    public void joinGroup(WorkerGroup group) {
        this.group = group;
        metrics.addGauges("worker", group.workerId(), () -> group.gauges(tasks.values().stream()
                .filter(ManagedTask::runsHere).count()));
    }

    /** The group this server is a worker of, or null. */
    public WorkerGroup group() {
        return group;
    }

    /** The names of every task, running here or not. */
    public List<String> taskNames() {
        return new ArrayList<>(tasks.keySet());
    }

    /** What the operator asked of each task through any worker of the group (absent: running). The group's thread. */
    void applyDesired(Map<String, String> desired) {
        for (ManagedTask t : tasks.values()) {
            t.applyDesired(desired.getOrDefault(t.name(), StoredTask.RUNNING));
        }
    }

    /**
     * Runs the tasks {@code owners} gives to {@code me} and hands the others over: a task assigned elsewhere stops
     * here (its checkpoint stays, its lease is released), so its new worker continues it with a partial resync.
     * The group's thread.
     */
    void place(Map<String, String> owners, String me) {
        for (ManagedTask t : tasks.values()) {
            String owner = owners.get(t.name());
            if (me.equals(owner)) {
                t.takeOn(me);
            } else {
                t.handOver(owner);
            }
        }
    }

    /** Every task, by name: the seam for a metrics registry and the API. */
    public List<ManagedTask> tasks() {
        return new ArrayList<>(tasks.values());
    }

    /** The task named {@code name}. @throws NotFound when there is none */
    public ManagedTask task(String name) {
        ManagedTask t = tasks.get(name);
        if (t == null) {
            throw new NotFound("no task named '" + name + "' (GET /api/v1/tasks lists them)");
        }
        return t;
    }

    /**
     * Creates and starts a task; first runs the precheck unless {@code skipPrecheck}.
     *
     * @return null when created, else the failed precheck's report (nothing is stored)
     * @throws FerryException a definition {@code ferry sync} would refuse
     */
    public synchronized PrecheckReport create(TaskDefinition definition, boolean skipPrecheck) {
        requireUngrouped("created");
        requireNew(definition);
        TaskPlan plan = planner.plan(definition);
        PrecheckReport report = skipPrecheck ? null : planner.precheck(plan);
        if (report != null && report.failed()) {
            return report;
        }
        StoredTask stored = new StoredTask(definition.name(), definition.options(), StoredTask.RUNNING, false,
                skipPrecheck, "api");
        store.save(stored);
        ManagedTask task = new ManagedTask(stored, planner, store);
        tasks.put(definition.name(), task);
        task.keepPrecheck(report);
        task.resume();
        return null;
    }

    /**
     * Runs the precheck of a task that is not created (so that a person can read it first); creates nothing.
     *
     * @throws FerryException a definition {@code ferry sync} would refuse
     */
    public PrecheckReport precheck(TaskDefinition definition) {
        requireNew(definition);
        return planner.precheck(planner.plan(definition));
    }

    private void requireNew(TaskDefinition definition) {
        if (tasks.containsKey(definition.name())) {
            throw new ManagedTask.Conflict("a task named '" + definition.name() + "' exists already (delete it first,"
                    + " or choose another name)");
        }
    }

    /** The tasks of a worker group are those of its --config file, the same for every worker. */
    private void requireUngrouped(String what) {
        if (group != null) {
            throw new ManagedTask.Conflict("the tasks of a worker group come from its --config file, which every worker"
                    + " reads: a task is " + what + " there (on Kubernetes: in the ConfigMap), then the workers restarted");
        }
    }

    /** Stops a task, waits for its engine, and forgets it (its checkpoint stays in the target). */
    public void delete(String name) {
        requireUngrouped("deleted");
        ManagedTask t = task(name);
        t.stop();
        t.awaitIdle();
        synchronized (this) {
            tasks.remove(name);
            store.delete(name);
        }
    }

    /** The passwords the tasks use now, so the API can make sure no response carries one. */
    public List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        for (ManagedTask t : tasks.values()) {
            t.shards().forEach(s -> {
                add(secrets, s.options().source().password());
                add(secrets, s.options().target().password());
            });
        }
        return secrets;
    }

    private static void add(List<String> secrets, String password) {
        if (password != null && !password.isEmpty()) {
            secrets.add(password);
        }
    }

    /** Stops every engine (their checkpoints stay), keeping what is stored: the next start resumes them. */
    @Override
    public void close() {
        WorkerGroup g = group;
        if (g != null) {
            g.close();
        }
        watcher.shutdownNow();
        tasks.values().forEach(ManagedTask::shutdown);
        tasks.values().forEach(ManagedTask::awaitIdle);
        metrics.close();
    }

    private void observeAll() {
        for (ManagedTask t : tasks.values()) {
            try {
                t.observe();
            } catch (RuntimeException e) {
                log.warn("cannot observe task {}: {}", t.name(), e.toString());
            }
        }
    }

    /** No such task (HTTP 404). */
    public static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }
}
