package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Linux says about another process, read from {@code /proc/<pid>}: its resident memory now and at its
 * peak, its threads, and the CPU it used. For tests and benchmarks that run Ferry as a child process.
 */
public final class ProcessStats {

    private static final Pattern THREAD_NAME = Pattern.compile("^\"([^\"]*)\"", Pattern.MULTILINE);
    private static final long CLOCK_TICKS = 100;

    private ProcessStats() {
    }

    /** A field of /proc/pid/status in KiB ("VmRSS", "VmHWM"), -1 if the process is gone. */
    public static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** The peak resident set size (VmHWM) in MiB. */
    public static long peakRssMiB(long pid) {
        return statusKb(pid, "VmHWM") >> 10;
    }

    /** The resident set size now (VmRSS) in MiB. */
    public static long rssMiB(long pid) {
        return statusKb(pid, "VmRSS") >> 10;
    }

    /** The number of threads the kernel knows for the process (/proc/pid/task). */
    public static int threads(long pid) {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return (int) tasks.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** User plus system CPU time of the process so far, in milliseconds (/proc/pid/stat, fields 14 and 15). */
    public static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 1000 / CLOCK_TICKS;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of the Java threads of a JVM ({@code jcmd <pid> Thread.print} of the running JDK). */
    public static java.util.List<String> javaThreads(long pid) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        java.util.List<String> names = new java.util.ArrayList<>();
        Matcher m = THREAD_NAME.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The Java threads of a JVM, counted by name with addresses and numbers replaced by {@code #}. */
    public static Map<String, Integer> javaThreadNames(long pid) throws IOException, InterruptedException {
        Map<String, Integer> counts = new TreeMap<>();
        for (String name : javaThreads(pid)) {
            counts.merge(name.replaceAll("[0-9.:]+", "#"), 1, Integer::sum);
        }
        return counts;
    }
}
