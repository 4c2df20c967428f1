package dev.ferry.testing;

import dev.ferry.embedded.RedisBinaries;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code redis-cli} of Debian's redis-tools 8.0.6 package (fetched for the 8.0.6 server by
 * {@code .ci/debian-servers}), run through that suite's loader, for what operators do with it
 * ({@code --cluster reshard}, {@code --cluster add-node}).
 */
public final class RedisCli {

    private RedisCli() {
    }

    /**
     * Runs {@code redis-cli args…} and returns its output; fails the test on a non-zero exit or after {@code seconds}.
     */
    public static String run(long seconds, String... args) throws IOException, InterruptedException {
        Path here = RedisBinaries.standard().find("8.0.6").toRealPath().getParent();
        Path lib = here.resolve("usr/lib/x86_64-linux-gnu");
        Path cli = here.resolve("usr/bin/redis-cli");
        if (!Files.isExecutable(cli)) {
            throw new AssertionError("no redis-cli in " + here + " (fetched with the 8.0.6 server by .ci/debian-servers)");
        }
        List<String> command = new ArrayList<>(List.of(lib.resolve("ld-linux-x86-64.so.2").toString(), "--library-path",
                lib.toString(), cli.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("redis-cli " + String.join(" ", args) + " did not end within " + seconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("redis-cli " + String.join(" ", args) + " exited with " + p.exitValue() + ":\n" + text);
        }
        return text;
    }
}
