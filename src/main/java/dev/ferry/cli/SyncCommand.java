package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.MemoryBudget;
import dev.ferry.Throttle;
import dev.ferry.metrics.MeteredTask;
import dev.ferry.pipeline.DbMap;
import dev.ferry.pipeline.MixedKeys;
import dev.ferry.precheck.Precheck;
import dev.ferry.precheck.PrecheckOptions;
import dev.ferry.precheck.PrecheckReport;
import dev.ferry.resp.ClientName;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.Sentinel;
import dev.ferry.task.ClusterSyncTask;
import dev.ferry.task.ExistingKeys;
import dev.ferry.task.ProgressReporter;
import dev.ferry.task.SourceReset;
import dev.ferry.task.SyncMode;
import dev.ferry.task.SyncOptions;
import dev.ferry.task.SyncTask;
import dev.ferry.cluster.CrossSlotCounters;
import dev.ferry.cluster.Topology;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** {@code ferry sync}: runs one sync in the foreground until it finishes, fails, or gets SIGINT/SIGTERM. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Copies the source into the target: the full data set, then every later write, until stopped (Ctrl-C).",
                "URIs: redis://[user:password@]host:port[/db]; a password alone is redis://:password@host:port."})
final class SyncCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--source", paramLabel = "URI", description = "Source server (required unless --config gives it).")
    String source;

    @Option(names = "--target", paramLabel = "URI", description = "Target server (required unless --config gives it).")
    String target;

    @Option(names = "--config", paramLabel = "FILE", description = "Take the task from FILE, in the format of ferry"
            + " server --config ('tasks:' with one entry: a name and these options without the dashes); an option given"
            + " there and on the command line is refused.")
    Path config;

    @Mixin
    Passwords passwords = new Passwords();

    @Mixin
    TlsFlags tls = new TlsFlags();

    @Option(names = "--mode", defaultValue = "full+incremental", paramLabel = "MODE", converter = Converters.Mode.class,
            description = "full+incremental (default), full (exit once the snapshot is applied), or incremental (later writes only).")
    SyncMode mode;

    @Option(names = "--dbs", split = ",", paramLabel = "N", converter = Converters.Database.class,
            description = "Source databases to copy (default: all, or the /N of the source URI), e.g. --dbs 0,3.")
    Set<Integer> dbs = new LinkedHashSet<>();

    @Mixin
    DbMapOption dbMap = new DbMapOption();

    @Option(names = "--existing", defaultValue = "check", paramLabel = "POLICY", converter = Converters.Existing.class,
            description = "check (default): refuse a target that already holds keys; overwrite: replace same-name keys.")
    ExistingKeys existing;

    @Option(names = "--publish", description = "Also forward PUBLISH (not forwarded by default).")
    boolean publish;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the spool spills to disk (default: the temp directory).")
    Path stateDir;

    @Option(names = "--raw-limit", defaultValue = "32MiB", paramLabel = "SIZE", converter = ByteSize.Int.class,
            description = "Largest value copied raw with RESTORE (default 32MiB; bytes, or KiB/MiB/GiB = KB/MB/GB, powers of 1024);"
                    + " larger ones are rewritten as commands, in chunks.")
    int rawLimit;

    @Option(names = "--retry-for", defaultValue = "720", paramLabel = "MINUTES", converter = Converters.NonNegative.class,
            description = "How long lost connections are retried before the sync fails (default 720 minutes).")
    long retryForMinutes;

    @Option(names = "--spool-size", defaultValue = "1GiB", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Disk space for stream bytes read from the source but not yet applied (default 1 GiB), so a slow target never slows the source link.")
    long spoolSize;

    @Option(names = "--memory-budget", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Memory for data in transit, shared by all tasks of this process: source bytes not yet parsed,"
                    + " batches, writes not yet acknowledged (default: a quarter of the Java heap, about 46 MiB with the"
                    + " launcher's -Xmx192m). Beyond it, source bytes wait on disk (--spool-size). E.g. 64MiB.")
    Long memoryBudget;

    /** For the tasks of a worker: the budget they share when their definition names none (not a flag). */
    MemoryBudget processBudget;
    /** For the tasks of a worker: their lease's TTL, the worker's --lease-ttl (not a flag). */
    java.time.Duration leaseTtl;
    /** For the tasks of a worker: what names the target in the task's id, instead of its address (not a flag). */
    String targetName;

    @Option(names = "--max-bytes-per-sec", split = ",", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Most bytes taken from the source each second: one value for the snapshot and the stream, or two"
                    + " (snapshot,stream), e.g. 10MiB or 50MiB,5MiB; 0 for no limit (default). The source still sends at"
                    + " its own pace: the spool (--spool-size) absorbs the difference.")
    List<Long> maxBytesPerSec = new ArrayList<>();

    @Option(names = "--max-ops-per-sec", split = ",", paramLabel = "N", converter = Converters.NonNegative.class,
            description = "Most keys (snapshot) and commands (stream) taken each second: one value for both, or two"
                    + " (snapshot,stream), e.g. 20000 or 0,5000; 0 for no limit (default).")
    List<Long> maxOpsPerSec = new ArrayList<>();

    @Option(names = "--skip-checks", split = ",", paramLabel = "NAME", converter = Converters.CheckName.class,
            description = "Precheck checks to skip, by name (see ferry precheck), for users who accept the risk.")
    Set<String> skipChecks = new LinkedHashSet<>();

    @Mixin
    KeyFilterOptions keyFilter = new KeyFilterOptions();

    @Option(names = "--on-mixed-keys", defaultValue = "stop", paramLabel = "ACTION", converter = Converters.Mixed.class,
            description = "With --keys/--exclude-keys, a write touching keys inside and outside the filter that cannot be"
                    + " split (RENAME user:1 other:1): stop (default), apply (whole; the target also gets the outside keys)"
                    + " or drop (left out). Each applied or dropped one is counted and logged.")
    MixedKeys onMixedKeys;

    @Option(names = "--source-read", defaultValue = "master", paramLabel = "NODE",
            description = "Where the replication stream is read: master (default), or replica: a replica of each source"
                    + " master, sparing the master (another replica, or the master, when it goes away).")
    String sourceRead;

    @Option(names = "--two-way", description = "One direction of a two-way sync: writes the task copying the other way"
            + " applied to this task's source are not sent back. Start the reverse direction with --mode incremental"
            + " once this one streams (see the README).")
    boolean twoWay;

    @Option(names = "--peer-task", paramLabel = "ID", description = "With --two-way: the id of the task copying the other"
            + " way (default: derived from the two addresses swapped; give it when the other task names the servers differently).")
    String peerTask;

    @Option(names = "--skip-refused", description = "Pass over the write the target refused in the previous run (counted and"
            + " logged) instead of applying it again first.")
    boolean skipRefused;

    @Option(names = "--on-source-reset", defaultValue = "stop", paramLabel = "POLICY", converter = Converters.Reset.class,
            description = "When the source's replication history restarted (it lost its data, or is another server):"
                    + " stop (default) and leave the target as it is, or resync: empty what the task owns on the target"
                    + " and copy the source again.")
    SourceReset onSourceReset;

    @Option(names = "--quiet", description = "No progress or status line, and on standard error no log below warnings:"
            + " only warnings, errors and the one-line result at the end.")
    boolean quiet;

    @Mixin
    MetricsFlags metrics = new MetricsFlags();

    @Override
    public Integer call() {
        if (config != null) {
            return TaskFile.command(spec.commandLine(), config).call();
        }
        SyncOptions options = options();
        if (quiet) {
            LogOptions.quietOnStderr(LoggerFactory.getILoggerFactory());
        }
        // Installed before the precheck, so that a signal during start-up also ends in a clean stop and exit 0.
        AtomicBoolean stopRequested = new AtomicBoolean();
        AtomicReference<Runnable> stopTask = new AtomicReference<>(() -> { });
        Signals.stopOn(() -> {
            stopRequested.set(true);
            stopTask.get().run();
        });
        ClientName.set(null, "precheck");
        precheck(options);
        ClientName.set(null, ClientName.ADMIN);
        long keys;
        long writes;
        String crossSlot = "";
        if (Topology.discover(options.source()).isCluster()) {
            // One task per master of the source cluster.
            ClusterSyncTask task = new ClusterSyncTask(options, quiet ? null : spec.commandLine().getErr()::println);
            // Its connections, and its masters' tasks' until each names its own, are the cluster task's.
            ClientName.set(task.id(), ClientName.ADMIN);
            stopTask.set(task::stop);
            if (stopRequested.get()) {
                task.stop();
            }
            try (MetricsFlags.Serving served = metrics.serve(spec.commandLine(), MeteredTask.of(task))) {
                task.run();
            }
            keys = task.snapshotKeys();
            writes = task.commandsForwarded();
        } else {
            SyncTask task = new SyncTask(options, quiet ? null : ProgressReporter.forStderr());
            stopTask.set(task::stop);
            if (stopRequested.get()) {
                task.stop();
            }
            try (MetricsFlags.Serving served = metrics.serve(spec.commandLine(), MeteredTask.of(task))) {
                task.run();
            }
            keys = task.counters().snapshotKeys.sum();
            writes = task.counters().commandsForwarded.sum();
            CrossSlotCounters.Snapshot counts = task.counters().crossSlot.snapshot();
            crossSlot = counts.total() > 0 ? "; across slots of the target: " + counts.describe() : "";
        }
        spec.commandLine().getErr().println("ferry: sync " + (options.mode() == SyncMode.FULL ? "finished" : "stopped") + ": "
                + keys + " keys copied, " + writes + " writes forwarded" + crossSlot);
        return 0;
    }


    /** The options of this command line, checked: what the task runs with (also used by {@code ferry server}). */
    SyncOptions options() {
        if (source == null || target == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing " + (source == null
                    ? target == null ? "--source and --target" : "--source" : "--target")
                    + " (or --config FILE with a task)");
        }
        RedisEndpoint sourceEndpoint = tls.source(spec.commandLine(), passwords.source(spec.commandLine(),
                Converters.endpoint(spec.commandLine(), "--source", source, passwords)));
        RedisEndpoint targetEndpoint = tls.target(spec.commandLine(), passwords.target(spec.commandLine(),
                Converters.endpoint(spec.commandLine(), "--target", target, passwords)));
        tls.check(spec.commandLine(), sourceEndpoint, targetEndpoint);
        metrics.check(spec.commandLine());
        SyncOptions.Builder builder = SyncOptions.builder(sourceEndpoint, targetEndpoint);
        if (Sentinel.isSentinelUri(source)) {
            // Asked again at every (re)connect and every second: a failover moves the task to the new master.
            builder.sourceSentinel(Converters.sentinel(spec.commandLine(), "--source", source, passwords));
        }
        if (Sentinel.isSentinelUri(target)) {
            // Asked again at every attempt and every second: a failover moves the writes to the new master.
            builder.targetSentinel(Converters.sentinel(spec.commandLine(), "--target", target, passwords));
        }
        if (memoryBudget != null) {
            if (memoryBudget <= 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--memory-budget: " + memoryBudget + " (expected: > 0)");
            }
            builder.memoryBudget(new MemoryBudget(memoryBudget));
        } else if (processBudget != null) {
            builder.memoryBudget(processBudget);
        }
        if (leaseTtl != null) {
            builder.leaseTtl(leaseTtl);
        }
        builder.targetName(targetName);
        DbMap map = dbMap.map(spec.commandLine());
        Set<Integer> databases = UriDatabases.resolve(spec.commandLine(), sourceEndpoint, targetEndpoint, dbs, map);
        if (twoWay && map.merges(databases.isEmpty() ? null : databases)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--two-way with --db-map " + map
                    + ": the map merges databases, which the reverse direction cannot split (expected: a map that keeps"
                    + " databases apart)");
        }
        long[] bytes = phases("--max-bytes-per-sec", maxBytesPerSec);
        long[] ops = phases("--max-ops-per-sec", maxOpsPerSec);
        builder.throttle(new Throttle(ops[0], bytes[0]), new Throttle(ops[1], bytes[1]));
        SyncOptions options = builder
                .mode(mode)
                .dbs(databases)
                .dbMap(map)
                .existing(existing)
                .publish(publish)
                .keys(keyFilter.filter())
                .onMixedKeys(onMixedKeys)
                .twoWay(twoWay)
                .readReplica(readReplica())
                .peerTask(peerTask)
                .stateDir(stateDir)
                .rawLimit(rawLimit)
                .retryFor(java.time.Duration.ofMinutes(retryForMinutes))
                .spoolSize(spoolSize)
                .skipRefused(skipRefused)
                .onSourceReset(onSourceReset)
                .build();
        if (peerTask != null && !twoWay) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--peer-task needs --two-way");
        }
        return options;
    }

    private boolean readReplica() {
        return switch (sourceRead) {
            case "master" -> false;
            case "replica" -> true;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--source-read: '" + sourceRead
                    + "' (expected: master or replica)");
        };
    }

    /** Runs the precheck and refuses to start on a failure; warnings are printed and the sync goes on. */
    private void precheck(SyncOptions options) {
        PrecheckReport report = precheck(options, skipChecks);
        if (report.failed()) {
            throw new FerryException(report.failureSummary());
        }
        for (var warning : report.warnings()) {
            spec.commandLine().getErr().println("ferry: warning: " + warning.name() + ": " + warning.detail());
        }
    }

    /** The precheck a sync runs before it starts (blocks while it asks both servers), skipping {@code skipChecks}. */
    static PrecheckReport precheck(SyncOptions options, Set<String> skipChecks) {
        Set<String> skip = new LinkedHashSet<>(skipChecks);
        // The task checks for an empty target itself, knowing its own checkpoint: a resumed task finds its keys.
        skip.add("target-empty");
        return Precheck.run(PrecheckOptions.builder(options.source(), options.target())
                .dbs(options.dbs()).dbMap(options.dbMap().asMap()).existing(options.existing()).skip(skip).build());
    }

    /** A limit given once (both phases) or twice (snapshot,stream), as {@code {snapshot, stream}}. */
    private long[] phases(String option, List<Long> values) {
        if (values.size() > 2) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + ": " + values.size()
                    + " values (expected: one for both phases, or two: snapshot,stream)");
        }
        if (values.isEmpty()) {
            return new long[] {0, 0};
        }
        return new long[] {values.get(0), values.get(values.size() - 1)};
    }
}
