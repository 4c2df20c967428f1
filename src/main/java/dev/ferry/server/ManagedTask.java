package dev.ferry.server;

import dev.ferry.FerryException;
import dev.ferry.checkpoint.LeaseHeldException;
import dev.ferry.sink.FencedException;
import dev.ferry.precheck.PrecheckReport;
import dev.ferry.task.SyncOptions;
import dev.ferry.task.SyncTask;
import dev.ferry.task.TaskState;
import dev.ferry.task.PeerNotStreamingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One task of the server: its stored definition, the engine running it on a thread of its own, its state as a
 * user reads it ({@link #state()}), and its recent events. Pause stops the engine, which keeps its checkpoint in the
 * target; resume starts it again, which continues with a partial resync while the source's backlog covers the pause.
 * The control methods are synchronized and return at once (the engine stops in the background; {@link #awaitIdle}
 * waits for it); the read methods may be called from any thread.
 */
public final class ManagedTask {

    private static final Logger log = LoggerFactory.getLogger(ManagedTask.class);
    private static final int MAX_EVENTS = 200;
    private static final long JOIN_MS = 30_000;
    private static final long PEER_WAIT_MS = 2_000;
    /** In a worker group: another worker runs the task (or none does yet). */
    static final String ELSEWHERE = "elsewhere";
    /** In a worker group: assigned here, starting or waiting for the previous worker to let its lease go. */
    static final String WAITING = "waiting";
    private static final String HANDOVER = "handover";

    /** One line of a task's history. */
    public record Event(String time, String kind, String message) {
    }

    private final TaskPlanner planner;
    private final TaskStore store;
    private volatile StoredTask stored;
    private volatile Engine engine;
    private volatile Thread runner;
    /** The state outside the engine's run: prechecking, precheck-failed, paused, stopped, failed, finished; or null. */
    private volatile String phase = StoredTask.STOPPED;
    /** What a stop of the engine is for: paused or stopped. */
    private volatile String stopFor;
    private volatile PrecheckReport precheck;
    private volatile String error;
    private volatile BacklogWatch backlog;
    private volatile String peerWait;
    /** The last refusal of the lease met here, so that a long wait is one event, not one per attempt. */
    private volatile String leaseWait;
    /** The group this task is shared in, or null (a lone server). */
    private volatile WorkerGroup group;
    private final Deque<Event> events = new ArrayDeque<>();
    private String lastState;
    private String lastTopology;
    private String lastRetry;

    ManagedTask(StoredTask stored, TaskPlanner planner, TaskStore store) {
        this.stored = stored;
        this.planner = planner;
        this.store = store;
    }

    public String name() {
        return stored.name();
    }

    public StoredTask stored() {
        return stored;
    }

    /**
     * prechecking, precheck-failed, snapshot, streaming, paused, retrying, failed, stopping, stopped or finished; in a
     * worker group also waiting (for the lease, here) and elsewhere (no worker runs it yet); a task another worker
     * runs has the state that worker publishes.
     */
    public String state() {
        String p = phase;
        if (ELSEWHERE.equals(p)) {
            Map<String, Object> remote = remoteView();
            return remote == null ? ELSEWHERE : String.valueOf(remote.get("state"));
        }
        if (p != null) {
            return p;
        }
        Engine e = engine;
        TaskState s = e == null ? null : e.state();
        if (s == null || s == TaskState.CREATED) {
            return "prechecking";
        }
        return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The engine runs in this process now. */
    public boolean runsHere() {
        return isRunning();
    }

    /** The worker that runs the task: this one, the one that published it, or null (none, or not in a group). */
    public String worker() {
        WorkerGroup g = group;
        if (g == null) {
            return null;
        }
        if (!ELSEWHERE.equals(phase)) {
            return g.workerId();
        }
        Map<String, Object> remote = remoteView();
        return remote == null ? null : String.valueOf(remote.get("worker"));
    }

    /** What the worker running this task elsewhere last published of it, or null. */
    Map<String, Object> remoteView() {
        WorkerGroup g = group;
        return g == null || !ELSEWHERE.equals(phase) ? null : g.remote().get(name());
    }

    /** Shared in {@code group}: starts only when the group assigns it here ({@link #takeOn}). */
    synchronized void awaitPlacement(WorkerGroup group) {
        this.group = group;
        phase = ELSEWHERE;
    }

    /**
     * The group assigns this task here: starts it from its checkpoint unless it runs already, the operator paused or
     * stopped it, or it failed here. The group's thread.
     */
    synchronized void takeOn(String me) {
        if (isRunning() || !StoredTask.RUNNING.equals(stored.desired())
                || "failed".equals(phase) || "precheck-failed".equals(phase)) {
            return;
        }
        if (ELSEWHERE.equals(phase) || WAITING.equals(phase)) {
            String message = "assigned to worker " + me + ": starting" + (WAITING.equals(phase) ? " again (its lease was"
                    + " held or taken by another worker)" : "") + ", from its checkpoint if it has one";
            log.info("task {}: {}", name(), message);
            event(HANDOVER, message);
        }
        start(false, stored.freshSync());
        phase = WAITING;
    }

    /**
     * The group assigns this task to {@code owner} (null: to no worker yet): stops it here, keeping its checkpoint
     * and releasing its lease, so that the new worker continues it with a partial resync. The group's thread.
     */
    synchronized void handOver(String owner) {
        if (isRunning()) {
            if (stopFor == null) {
                stopFor = HANDOVER;
                Engine e = engine;
                if (e != null) {
                    e.stop();
                }
                String message = "assigned to worker " + owner + " now: stopping here (its checkpoint stays, its lease"
                        + " is released)";
                log.info("task {}: {}", name(), message);
                event(HANDOVER, message);
            }
        } else if (!StoredTask.PAUSED.equals(phase) && !StoredTask.STOPPED.equals(phase)) {
            phase = ELSEWHERE;
        }
    }

    /** The tasks reading the source (one per master of a cluster source): for counters and metrics. */
    public List<SyncTask> shards() {
        Engine e = engine;
        return e == null ? List.of() : e.shards();
    }

    public PrecheckReport precheckReport() {
        return precheck;
    }

    public String error() {
        return error;
    }

    /** While paused: for about how long a resume still continues with a partial resync; else null. */
    public BacklogWatch.Coverage backlogCoverage() {
        BacklogWatch b = backlog;
        return b == null || !StoredTask.PAUSED.equals(phase) ? null : b.describe();
    }

    /** Keys of the snapshot done and in all (-1 when not known). */
    public long[] snapshotProgress() {
        Engine e = engine;
        return e == null ? new long[] {0, -1} : e.snapshotProgress();
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Starts the task as stored: running, or kept paused or stopped. */
    synchronized void startAsStored() {
        switch (stored.desired()) {
            case StoredTask.RUNNING -> start(!stored.skipPrecheck(), stored.freshSync());
            case StoredTask.PAUSED -> {
                phase = StoredTask.PAUSED;
                event("state", "paused (as stored)");
            }
            default -> {
                phase = StoredTask.STOPPED;
                event("state", "stopped (as stored)");
            }
        }
    }

    /**
     * What the operator asked of this task through any worker of its group: {@code paused} or {@code stopped} stops
     * it here if it runs here (keeping its checkpoint); {@code running} lets the group start it where it is assigned.
     * The group's thread.
     */
    synchronized void applyDesired(String desired) {
        if (desired.equals(stored.desired())) {
            return;
        }
        remember(desired, stored.freshSync());
        if (StoredTask.RUNNING.equals(desired)) {
            event("resume", "resume asked (through the group)");
            if (StoredTask.PAUSED.equals(phase) || StoredTask.STOPPED.equals(phase)) {
                phase = ELSEWHERE;
            }
        } else if (isRunning()) {
            stopFor = desired;
            Engine e = engine;
            if (e != null) {
                e.stop();
            }
            event(desired.equals(StoredTask.PAUSED) ? "pause" : "stop", desired + " asked (through the group): the engine"
                    + " stops, keeping its checkpoint");
        } else {
            phase = desired;
            event("state", desired + " (asked through the group)");
        }
    }

    /**
     * In a worker group: records {@code desired} for the group first (every worker applies it), then here. Called
     * without this task's lock: the group's thread takes the group's, then a task's.
     */
    private boolean desiredThroughGroup(String desired) {
        WorkerGroup g = group;
        if (g == null) {
            return false;
        }
        g.desire(name(), desired);
        applyDesired(desired);
        return true;
    }

    void pause() {
        if (group != null && !isRunning() && !ELSEWHERE.equals(phase) && !WAITING.equals(phase)) {
            throw new Conflict("task " + name() + " is " + state() + ": only a running task can pause (resume it first)");
        }
        if (!desiredThroughGroup(StoredTask.PAUSED)) {
            pauseAlone();
        }
    }

    private synchronized void pauseAlone() {
        requireRunning("pause");
        remember(StoredTask.PAUSED, stored.freshSync());
        stopFor = StoredTask.PAUSED;
        Engine e = engine;
        if (e != null) {
            e.stop();
        }
        event("pause", "pause asked: the engine stops, keeping its checkpoint");
    }

    /** Keeps the report of the precheck run before this task was created, for the API and the console to show. */
    void keepPrecheck(PrecheckReport report) {
        precheck = report;
    }

    void resume() {
        if (group != null && (isRunning() || ELSEWHERE.equals(phase) && remoteView() != null)) {
            throw new Conflict("task " + name() + " is " + state() + ": only a paused, stopped or failed task resumes");
        }
        if (group != null && "failed".equals(phase)) {
            // Failed here: the group's placement starts it again (here, if it is still this worker's).
            phase = ELSEWHERE;
        }
        if (!desiredThroughGroup(StoredTask.RUNNING)) {
            resumeAlone();
        }
    }

    private synchronized void resumeAlone() {
        if (isRunning()) {
            throw new Conflict("task " + name() + " is " + state() + ": only a paused, stopped or failed task resumes");
        }
        remember(StoredTask.RUNNING, stored.freshSync());
        event("resume", "resume asked");
        start(false, stored.freshSync());
    }

    void stop() {
        if (!desiredThroughGroup(StoredTask.STOPPED)) {
            stopAlone();
        }
    }

    private synchronized void stopAlone() {
        remember(StoredTask.STOPPED, stored.freshSync());
        if (isRunning()) {
            stopFor = StoredTask.STOPPED;
            Engine e = engine;
            if (e != null) {
                e.stop();
            }
            event("stop", "stop asked");
        } else {
            phase = StoredTask.STOPPED;
            event("state", "stopped");
        }
    }

    /** Stops the engine and starts it again with a fresh full sync (the target's databases it owns emptied first). */
    void restartFresh() {
        if (group != null) {
            throw new Conflict("a fresh full sync of a task of a worker group is not offered through the API yet: stop"
                    + " the task, delete its checkpoint key __ferry:cp:<id> in the target, and resume it");
        }
        synchronized (this) {
            remember(StoredTask.RUNNING, true);
            Engine e = engine;
            if (isRunning()) {
                stopFor = StoredTask.STOPPED;
                if (e != null) {
                    e.stop();
                }
            }
        }
        awaitIdle();
        synchronized (this) {
            event("restart", "restart with a fresh full sync asked");
            start(false, true);
        }
    }

    /** Stops the engine without changing what is stored (the server shuts down: the task resumes at its next start). */
    synchronized void shutdown() {
        Engine e = engine;
        stopFor = "shutdown";
        if (e != null) {
            e.stop();
        }
    }

    /** Waits until no engine runs (bounded). */
    void awaitIdle() {
        Thread t = runner;
        if (t != null) {
            try {
                t.join(JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean isRunning() {
        Thread t = runner;
        return t != null && t.isAlive();
    }

    /** Records state changes, topology events and retries as events; samples the backlog while paused. Watcher thread. */
    void observe() {
        String state = state();
        String topology = null;
        String retry = null;
        for (SyncTask s : shards()) {
            topology = s.lastEvent() != null ? s.lastEvent() : topology;
            retry = s.state() == TaskState.RETRYING && s.retryReason() != null ? s.retryReason() : retry;
        }
        synchronized (this) {
            if (!state.equals(lastState)) {
                lastState = state;
                event("state", ("failed".equals(state) || "precheck-failed".equals(state)) && error != null
                        ? state + ": " + error : state);
                if (stored.freshSync() && ("snapshot".equals(state) || "streaming".equals(state))) {
                    remember(stored.desired(), false);
                }
            }
            if (topology != null && !topology.equals(lastTopology)) {
                lastTopology = topology;
                event("topology", topology);
            }
            if (retry != null && !retry.equals(lastRetry)) {
                event("retry", retry);
            }
            lastRetry = retry;
        }
        BacklogWatch b = backlog;
        if (b != null && StoredTask.PAUSED.equals(phase)) {
            b.sample();
        }
    }

    private void requireRunning(String what) {
        if (!isRunning() || phase != null && !"prechecking".equals(phase) && !"retrying".equals(phase)) {
            throw new Conflict("task " + name() + " is " + state() + ": only a running task can " + what
                    + " (resume it first)");
        }
    }

    private void remember(String desired, boolean freshSync) {
        StoredTask next = stored.withDesired(desired, freshSync);
        store.save(next);
        stored = next;
    }

    private void start(boolean withPrecheck, boolean fresh) {
        phase = "prechecking";
        error = null;
        if (withPrecheck) {
            precheck = null;
        }
        backlog = null;
        stopFor = null;
        Thread t = new Thread(() -> runEngine(withPrecheck, fresh), "ferry-task-" + name());
        t.setDaemon(true);
        runner = t;
        t.start();
    }

    private void runEngine(boolean withPrecheck, boolean fresh) {
        Engine e = null;
        try {
            TaskPlan plan = planner.plan(stored.definition());
            if (withPrecheck) {
                PrecheckReport report = planner.precheck(plan);
                precheck = report;
                if (report.failed()) {
                    error = report.failureSummary();
                    phase = "precheck-failed";
                    return;
                }
            }
            SyncOptions options = fresh ? plan.options().withFreshSync() : plan.options();
            while (true) {
                synchronized (this) {
                    if (stopFor != null) {
                        phase = stopFor.equals(StoredTask.PAUSED) ? StoredTask.PAUSED
                                : stopFor.equals(HANDOVER) ? ELSEWHERE : StoredTask.STOPPED;
                        return;
                    }
                    e = new Engine(options);
                    engine = e;
                    phase = null;
                }
                try {
                    e.run();
                    break;
                } catch (PeerNotStreamingException ex) {
                    // The two tasks of a pair start together here: the reverse one waits for the forward one.
                    awaitPeer(ex.getMessage());
                }
            }
            String why = stopFor;
            if (StoredTask.PAUSED.equals(why)) {
                BacklogWatch watch = new BacklogWatch();
                for (SyncTask s : e.shards()) {
                    watch.add(s.source(), s.appliedOffset());
                }
                backlog = watch;
                phase = StoredTask.PAUSED;
            } else if (HANDOVER.equals(why)) {
                phase = ELSEWHERE;
                event(HANDOVER, "stopped here: the task is free for its new worker");
            } else {
                phase = why != null ? StoredTask.STOPPED : "finished";
            }
        } catch (LeaseHeldException | FencedException ex) {
            if (group == null) {
                fail(ex.getMessage());
            } else {
                // Held by another worker, which has not let it go yet (frozen, partitioned or stopping), or took it
                // over while this one was away (fenced: nothing was applied twice): the group decides, and if the
                // task is still this worker's, the next tick tries again.
                if (!ex.getMessage().equals(leaseWait)) {
                    log.info("task {}: {}; the group decides where it runs next", name(), ex.getMessage());
                    event("lease", ex.getMessage() + "; trying again");
                }
                leaseWait = ex.getMessage();
                phase = HANDOVER.equals(stopFor) ? ELSEWHERE : WAITING;
            }
        } catch (FerryException | Conflict ex) {
            fail(ex.getMessage());
        } catch (RuntimeException ex) {
            log.error("task {} failed", name(), ex);
            fail(ex.toString());
        }
    }

    /** Retrying, with why, for {@value #PEER_WAIT_MS} ms or until stopped. Engine thread. */
    private void awaitPeer(String why) {
        if (!why.equals(peerWait)) {
            event("retry", why + " (retrying every " + PEER_WAIT_MS / 1000 + " s)");
        }
        peerWait = why;
        phase = "retrying";
        long until = System.currentTimeMillis() + PEER_WAIT_MS;
        try {
            while (stopFor == null && System.currentTimeMillis() < until) {
                Thread.sleep(100);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /** While retrying because the forward task of its two-way pair does not stream yet: why; else possibly stale. */
    public String peerWait() {
        return peerWait;
    }

    private void fail(String message) {
        error = message;
        phase = "failed";
        log.error("task {} failed: {}", name(), message);
    }

    private void event(String kind, String message) {
        synchronized (this) {
            events.addLast(new Event(Instant.now().toString(), kind, message));
            while (events.size() > MAX_EVENTS) {
                events.removeFirst();
            }
        }
    }

    /** An action that does not fit the task's state (HTTP 409). */
    public static final class Conflict extends RuntimeException {
        Conflict(String message) {
            super(message);
        }
    }
}
