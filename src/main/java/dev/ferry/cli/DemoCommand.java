package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.embedded.SampleData;
import dev.ferry.pipeline.Filters;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;
import dev.ferry.task.ProgressReporter;
import dev.ferry.task.SyncOptions;
import dev.ferry.task.SyncTask;
import dev.ferry.task.TaskState;
import dev.ferry.verify.SummaryRenderer;
import dev.ferry.verify.Verifier;
import dev.ferry.verify.VerifyMode;
import dev.ferry.verify.VerifyOptions;
import dev.ferry.verify.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code ferry demo}: two local Redis servers from the embedded binary, sample data of every type,
 * a full + incremental sync while writes go on, then proof that both sides hold the same data.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs a full + incremental sync between two local Redis servers and verifies the result. Needs no setup.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--writes", defaultValue = "5000", paramLabel = "N", description = "Writes made on the source during the sync (default 5000).")
    int writes;

    @Option(names = "--redis-version", paramLabel = "X.Y.Z", description = "Version of the embedded redis-server to run (default 7.0.15).")
    String redisVersion;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        // No 5-second wait for more replicas before a diskless snapshot (Redis 7's default delay).
        try (RedisServer source = server("--repl-diskless-sync-delay", "0"); RedisServer target = server()) {
            out.printf("1. started source %s and target %s (redis-server %s)%n", source.endpoint().address(),
                    target.endpoint().address(), source.version());
            try (RedisConnection src = source.connect()) {
                SampleData.Summary sample = SampleData.load(src, source.version());
                out.printf("2. loaded sample data into the source: %d keys in databases %s%n", sample.totalKeys(),
                        sample.keysPerDb().keySet());
            }
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).build();
            SyncTask task = new SyncTask(options, new ProgressReporter(System.err, false, 1000, 1));
            Thread runner = new Thread(() -> {
                try {
                    task.run();
                } catch (FerryException e) {
                    // Reported below through task.failure().
                }
            }, "ferry-demo-task");
            runner.start();
            out.println("3. sync started: full snapshot, then the replication stream");
            awaitStreaming(task);
            out.printf("4. snapshot applied: %d keys; now writing on the source while the sync streams%n",
                    task.counters().snapshotKeys.sum());
            long target0;
            try (RedisConnection src = source.connect()) {
                writeWorkload(src, writes);
                target0 = ServerInfo.fetch(src).getLong("master_repl_offset", -1);
            }
            awaitApplied(task, target0);
            out.printf("5. %d writes made; the target has applied the stream up to source offset %d (lag %d ms)%n",
                    writes, task.appliedOffset(), task.lagMillis());
            task.stop();
            runner.join();
            if (task.failure() != null) {
                throw task.failure();
            }
            return verify(source, target, out);
        }
    }

    private RedisServer server(String... args) {
        RedisServer.Builder b = RedisServer.builder();
        for (int i = 0; i + 1 < args.length; i += 2) {
            b.arg(args[i], args[i + 1]);
        }
        if (redisVersion != null) {
            b.version(redisVersion);
        }
        return b.start();
    }

    private static void awaitStreaming(SyncTask task) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (task.state() != TaskState.STREAMING) {
            if (task.failure() != null) {
                throw task.failure();
            }
            if (System.currentTimeMillis() > deadline) {
                throw new FerryException("the snapshot did not finish within 2 minutes");
            }
            Thread.sleep(20);
        }
    }

    private static void awaitApplied(SyncTask task, long offset) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (task.appliedOffset() < offset) {
            if (task.failure() != null) {
                throw task.failure();
            }
            if (System.currentTimeMillis() > deadline) {
                throw new FerryException("the target did not catch up within 60 s (applied " + task.appliedOffset()
                        + ", source at " + offset + ")");
            }
            Thread.sleep(10);
        }
    }

    /** Writes of many kinds, pipelined, across two databases. */
    private static void writeWorkload(RedisConnection c, int n) {
        Random random = new Random(42);
        int batch = 0;
        for (int i = 0; i < n; i++) {
            String k = Integer.toString(random.nextInt(200));
            switch (i % 10) {
                case 0 -> c.send("INCR", "demo:counter:" + k);
                case 1 -> c.send("LPUSH", "demo:list:" + k, "item-" + i);
                case 2 -> c.send("HSET", "demo:hash:" + k, "f" + (i % 7), Integer.toString(i));
                case 3 -> c.send("ZINCRBY", "demo:zset", "1.5", "m" + k);
                case 4 -> c.send("SADD", "demo:set:" + k, Integer.toString(i));
                case 5 -> c.send("XADD", "demo:stream", "*", "i", Integer.toString(i));
                case 6 -> c.send("SET", "demo:str:" + k, "v" + i, "EX", "3600");
                case 7 -> c.send("APPEND", "demo:log", "event " + i + ";");
                case 8 -> c.send("DEL", "demo:str:" + Integer.toString(random.nextInt(200)));
                default -> {
                    c.send("SELECT", "1");
                    c.send("INCRBYFLOAT", "demo:float", "0.25");
                    c.send("SELECT", "0");
                    batch += 2;
                }
            }
            if (++batch >= 500) {
                drain(c, batch);
                batch = 0;
            }
        }
        drain(c, batch);
    }

    private static void drain(RedisConnection c, int replies) {
        c.flush();
        for (int i = 0; i < replies; i++) {
            var r = c.read();
            if (r.isError()) {
                throw new FerryException("demo write failed on the source: " + r.asText());
            }
        }
    }

    private static int verify(RedisServer source, RedisServer target, PrintStream out) {
        VerifyReport report = Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint())
                .mode(VerifyMode.FULL).build());
        try (RedisConnection s = source.connect(); RedisConnection t = target.connect()) {
            // The target also holds Ferry's own keys (checkpoint, lease, fence); without them, the whole-server
            // digests must match.
            t.callChecked("SELECT", "0");
            for (RespValue key : ((RespValue.Array) t.callChecked("KEYS", Filters.CONTROL_PREFIX + "*")).items()) {
                t.callChecked("DEL", ((RespValue.Bulk) key).bytes());
            }
            String sd = s.callChecked("DEBUG", "DIGEST").asText();
            String td = t.callChecked("DEBUG", "DIGEST").asText();
            out.printf("6. verification (ferry verify --mode full): %d source keys, %d target keys compared both ways,"
                    + " element by element, expiry times included: %s%n", report.sourceKeys(), report.targetKeys(),
                    report.consistent() ? "no difference" : report.differences().size() + " differences");
            out.printf("   DEBUG DIGEST source %s%n   DEBUG DIGEST target %s%n", sd, td);
            if (report.consistent() && sd.equals(td)) {
                out.println("   OK: the target holds exactly the source's data.");
                return 0;
            }
            out.println(SummaryRenderer.render(report, 20));
            out.println("   MISMATCH: the target differs from the source.");
            return Main.EXIT_FAILURE;
        }
    }

}
