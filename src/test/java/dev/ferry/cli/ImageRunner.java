package dev.ferry.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs the command of an unpacked container image with the image's files only, without a container runtime: as root,
 * in a chroot of the image with its own /proc and the image's user (what a container sees); otherwise through the
 * image's own dynamic loader and C libraries, its paths (java, the classpath, /tmp/...) rewritten under the unpacked
 * root. Blocking unless said otherwise; for tests.
 */
final class ImageRunner {

    static final String JAVA = "/opt/ferry/jre/bin/java";
    static final String CLASSPATH_FILE = "/app/jib-classpath-file";
    private static final long DEADLINE_SECONDS = 120;

    /** What the command printed (stdout and stderr), its exit code, and how it was run. */
    record Result(String output, int exitCode, String how) {
    }

    private ImageRunner() {
    }

    /** The entries of the classpath Jib wrote into the image, as paths inside the image. */
    static List<String> classpath(Path root) throws IOException {
        String text = Files.readString(root.resolve(CLASSPATH_FILE.substring(1)), StandardCharsets.UTF_8).trim();
        return Arrays.asList(text.split(":"));
    }

    /** Runs {@code command} (an absolute path in the image, then its arguments) as the image would, to its end. */
    static Result start(Path root, String user, List<String> command) throws IOException, InterruptedException {
        Invocation i = invocation(root, user, command);
        return execute(i.argv(), i.how());
    }

    /** Starts {@code command} as {@link #start} does, without waiting; destroying the process stops the command. */
    static Process launch(Path root, String user, List<String> command) throws IOException, InterruptedException {
        Invocation i = invocation(root, user, command);
        return new ProcessBuilder(i.argv()).redirectErrorStream(true).redirectOutput(root.resolve("tmp/launch.log").toFile())
                .start();
    }

    /**
     * Sends SIGTERM to a {@link #launch launched} command (unshare ignores it, so the command itself gets it, as a
     * container's first process does from Kubernetes) and waits up to {@code seconds} for its exit code, or -1.
     */
    static int stop(Process launched, long seconds) throws InterruptedException {
        launched.descendants().forEach(ProcessHandle::destroy);
        launched.destroy();
        return launched.waitFor(seconds, TimeUnit.SECONDS) ? launched.exitValue() : -1;
    }

    private record Invocation(List<String> argv, String how) {
    }

    private static Invocation invocation(Path root, String user, List<String> command) throws IOException, InterruptedException {
        Files.createDirectories(root.resolve("proc"));
        if (canChroot(root.resolve("proc"))) {
            // --kill-child: the command dies with unshare, so destroying the process stops it.
            List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c",
                    "root=$1; user=$2; shift 2; mount -t proc proc \"$root/proc\" && exec chroot --userspec=\"$user\" \"$root\" \"$@\"",
                    "sh", root.toString(), user));
            argv.addAll(command);
            return new Invocation(argv, "in a chroot of the image");
        }
        List<String> argv = new ArrayList<>(List.of(loader(root).toString(), "--inhibit-cache", "--library-path",
                libraryDirs(root)));
        for (String arg : command) {
            if (arg.equals(command.get(0))) {
                argv.add(root.resolve(arg.substring(1)).toString());
            } else if (arg.equals("@" + CLASSPATH_FILE)) {
                argv.add(classpath(root).stream().map(e -> root.resolve(e.substring(1)).toString())
                        .collect(Collectors.joining(":")));
            } else if (arg.startsWith("/tmp/")) {
                argv.add(root.resolve(arg.substring(1)).toString());
            } else {
                argv.add(arg);
            }
        }
        return new Invocation(argv, "by the image's dynamic loader");
    }

    /** Runs a command of this machine; fails unless it exits with 0. */
    static void run(List<String> argv) throws IOException, InterruptedException {
        Result r = execute(argv, "here");
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + ": exit code " + r.exitCode() + ": " + r.output());
        }
    }

    /** Whether this process may make a mount and PID namespace, mount a /proc there and chroot (root, usually). */
    private static boolean canChroot(Path proc) throws InterruptedException {
        try {
            return execute(List.of("unshare", "--mount", "--pid", "--fork", "sh", "-c",
                    "mount -t proc proc \"$1\" && chroot / true", "sh", proc.toString()), "probe").exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path loader(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("lib64"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("ld-linux")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no dynamic loader under " + root.resolve("lib64")));
        }
    }

    private static String libraryDirs(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("lib"))) {
            return files.filter(f -> f.getFileName().toString().contains(".so")).map(Path::getParent).distinct()
                    .map(Path::toString).collect(Collectors.joining(":"));
        }
    }

    private static Result execute(List<String> argv, String how) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", argv) + ": still running after " + DEADLINE_SECONDS + " s");
        }
        return new Result(new String(out, StandardCharsets.UTF_8), p.exitValue(), how);
    }
}
