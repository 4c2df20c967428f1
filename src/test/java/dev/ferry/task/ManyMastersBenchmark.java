package dev.ferry.task;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.ClusterHarness;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The many-masters reproduction of issue 9: one {@code ferry sync} (the launcher's JVM options, 192 MiB heap)
 * of a cluster of many masters into one standalone target; the target stops taking writes for 10 s
 * ({@code CLIENT PAUSE 10000 WRITE}) while 2 KB values are written on every master. Prints the keys that
 * arrived, how long they took after the pause, and the Ferry process's peak RSS (VmHWM). Not a test: run it
 * by hand and read the numbers.
 *
 * <pre>{@code
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Dferry.redis.bin.dir=$PWD/target/redis-bin -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) \
 *     dev.ferry.task.ManyMastersBenchmark 64 200000
 * }</pre>
 */
public final class ManyMastersBenchmark {

    private static final int VALUE_SIZE = 2048;

    private ManyMastersBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int masters = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int pauseMs = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        try (ClusterHarness cluster = ClusterHarness.start(masters, "--repl-diskless-sync-delay", "0",
                "--repl-backlog-size", "64mb");
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection tgt = target.connect();
             FerryProcess ferry = FerryProcess.start("sync", "--quiet", "--source", cluster.uri(),
                     "--target", "redis://127.0.0.1:" + target.port())) {
            ferry.awaitLog("masters, one task each", java.time.Duration.ofSeconds(60));
            long deadline = System.currentTimeMillis() + 120_000;
            while (countCheckpoints(tgt) < masters) {
                if (System.currentTimeMillis() > deadline || !ferry.isAlive()) {
                    throw new IllegalStateException("not every master streams; log:\n" + ferry.log());
                }
                Thread.sleep(100);
            }
            long rssBefore = rssKb(ferry, "VmRSS");
            System.out.println("threads " + dev.ferry.testing.ProcessStats.threads(ferry.pid()) + ": "
                    + dev.ferry.testing.ProcessStats.javaThreadNames(ferry.pid()));
            nativeMemory(ferry);
            if (Boolean.getBoolean("histogram")) {
                // -Dhistogram=true: what the heap holds once every master streams (jcmd of the running JDK).
                Process jcmd = new ProcessBuilder("jcmd", Long.toString(ferry.pid()), "GC.class_histogram")
                        .redirectErrorStream(true).start();
                String text = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                text.lines().limit(16).forEach(System.out::println);
            }
            tgt.callChecked("CLIENT", "PAUSE", Integer.toString(pauseMs), "WRITE");
            long start = System.currentTimeMillis();
            dev.ferry.testing.ClusterValues.write(cluster.endpoint(), 0, keys, VALUE_SIZE);
            long written = System.currentTimeMillis();
            while (dbsize(tgt) < keys) {
                if (!ferry.isAlive()) {
                    throw new IllegalStateException("ferry died; log:\n" + ferry.log());
                }
                if (System.currentTimeMillis() - start > 300_000) {
                    break;
                }
                Thread.sleep(100);
            }
            long done = System.currentTimeMillis();
            System.out.printf(Locale.ROOT, "masters %d, keys written %d (%.1f s, target paused 10 s), keys arrived %d"
                            + " (%.1f s after the first write), ferry RSS before the pause %d MiB, peak RSS %d MiB, alive %s%n",
                    masters, keys, (written - start) / 1000.0, dbsize(tgt), (done - start) / 1000.0, rssBefore >> 10,
                    rssKb(ferry, "VmHWM") >> 10, ferry.isAlive());
            nativeMemory(ferry);
            ferry.terminate();
        }
    }

    /** -Dnmt=true, with FERRY_JAVA_OPTS=-XX:NativeMemoryTracking=summary: where the process's memory goes. */
    private static void nativeMemory(FerryProcess ferry) throws java.io.IOException {
        if (Boolean.getBoolean("nmt")) {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(ferry.pid()), "VM.native_memory", "summary")
                    .redirectErrorStream(true).start();
            String text = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            text.lines().filter(l -> l.startsWith("-") || l.startsWith("Total")).forEach(System.out::println);
        }
    }

    private static long dbsize(RedisConnection tgt) {
        // Reads only: EVAL would wait for the end of a CLIENT PAUSE WRITE.
        return tgt.callChecked("DBSIZE").asLong()
                - ((dev.ferry.resp.RespValue.Array) tgt.callChecked("KEYS", "__ferry:*")).items().size();
    }

    private static int countCheckpoints(RedisConnection tgt) {
        List<?> keys = ((dev.ferry.resp.RespValue.Array) tgt.callChecked("KEYS", "__ferry:cp:*")).items();
        return keys.size();
    }

    private static long rssKb(FerryProcess ferry, String field) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(ferry.pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
