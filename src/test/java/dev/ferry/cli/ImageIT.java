package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The container image {@code mvn package} builds (target/ferry-image.tar, Jib on an empty base): its layout, its
 * configuration, and that its own files start Ferry with nothing from this machine. Fails, rather than passing, when
 * the tarball is absent.
 */
class ImageIT {

    static final Path TARBALL = Path.of("target", "ferry-image.tar");

    @TempDir
    static Path dir;
    static Path tarball;
    static Path root;
    static JsonNode config;

    @BeforeAll
    static void unpack() throws Exception {
        if (!Files.isRegularFile(TARBALL)) {
            fail(TARBALL + " is missing: mvn package builds it (unless -Dferry.image.skip=true)");
        }
        tarball = dir.resolve("tarball");
        root = dir.resolve("root");
        Files.createDirectories(tarball);
        Files.createDirectories(root);
        ImageRunner.run(List.of("tar", "-xf", TARBALL.toAbsolutePath().toString(), "-C", tarball.toString()));
        for (JsonNode layer : manifest().get("Layers")) {
            ImageRunner.run(List.of("tar", "--warning=no-unknown-keyword", "-xzf", tarball.resolve(layer.asText()).toString(), "-C", root.toString()));
        }
        config = new ObjectMapper().readTree(tarball.resolve(manifest().get("Config").asText()).toFile()).get("config");
    }

    static JsonNode manifest() throws IOException {
        JsonNode all = new ObjectMapper().readTree(tarball.resolve("manifest.json").toFile());
        assertThat(all).as("images in manifest.json").hasSize(1);
        return all.get(0);
    }

    @Test
    void tarballIsADockerArchiveWhoseManifestNamesItsConfigAndLayers() throws IOException {
        JsonNode manifest = manifest();
        assertThat(manifest.get("RepoTags").get(0).asText()).startsWith("ferry:");
        assertThat(tarball.resolve(manifest.get("Config").asText())).isRegularFile();
        assertThat(manifest.get("Layers")).isNotEmpty();
        for (JsonNode layer : manifest.get("Layers")) {
            assertThat(tarball.resolve(layer.asText())).isRegularFile();
        }
    }

    @Test
    void entrypointIsTheImagesJavaRunningFerrysMainOnJibsClasspath() {
        List<String> entrypoint = strings(config.get("Entrypoint"));
        assertThat(entrypoint.get(0)).isEqualTo(ImageRunner.JAVA);
        assertThat(entrypoint).containsSubsequence("-cp", "@" + ImageRunner.CLASSPATH_FILE, Main.class.getName());
        assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo(Main.class.getName());
        assertThat(entrypoint).contains("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
    }

    @Test
    void defaultArgumentsAreAWorkerListeningOnAllAddressesOfItsExposedPort() {
        List<String> cmd = strings(config.get("Cmd"));
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(cmd.toArray(String[]::new));
        WorkerCommand worker = (WorkerCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(worker.config).isEqualTo(Path.of("/etc/ferry/ferry.yaml"));
        assertThat(worker.host).isEqualTo("0.0.0.0");
        assertThat(config.get("ExposedPorts").fieldNames()).toIterable()
                .containsExactly(WorkerCommand.DEFAULT_PORT + "/tcp");
    }

    @Test
    void userIsNotRoot() {
        String user = config.get("User").asText();
        assertThat(user).matches("[0-9]+:[0-9]+");
        assertThat(Integer.parseInt(user.split(":")[0])).isNotZero();
        assertThat(Integer.parseInt(user.split(":")[1])).isNotZero();
    }

    @Test
    void layersHoldAnExecutableJavaAndEveryEntryOfTheClasspath() throws IOException {
        assertThat(Files.getPosixFilePermissions(root.resolve(ImageRunner.JAVA.substring(1))))
                .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        List<String> classpath = ImageRunner.classpath(root);
        assertThat(classpath).isNotEmpty();
        for (String entry : classpath) {
            assertThat(root.resolve(entry.substring(1))).as(entry).exists();
        }
        assertThat(classpath).anySatisfy(entry -> assertThat(root.resolve(entry.substring(1))
                .resolve(Main.class.getName().replace('.', '/') + ".class")).isRegularFile());
        assertThat(classpath).anySatisfy(entry -> assertThat(entry).matches(".*/picocli-[0-9.]+\\.jar"));
    }

    @Test
    void theImagesOwnFilesStartFerry() throws Exception {
        List<String> entrypoint = new ArrayList<>(strings(config.get("Entrypoint")));
        entrypoint.add("--version");
        ImageRunner.Result result = ImageRunner.start(root, config.get("User").asText(), entrypoint);
        assertThat(result.output()).as("started " + result.how()).contains("ferry " + FerryVersion.current());
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void theImagesRuntimeServesFerryServersApiAndJvmMetrics() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.createDirectories(root.resolve("tmp/data"));
        Files.setPosixFilePermissions(root.resolve("tmp/data"), PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> command = new ArrayList<>(strings(config.get("Entrypoint")));
        command.addAll(List.of("server", "--port", String.valueOf(port), "--data-dir", "/tmp/data"));
        Process server = ImageRunner.launch(root, config.get("User").asText(), command);
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            HttpResponse<String> health = null;
            while (health == null && server.isAlive() && System.nanoTime() < deadline) {
                try {
                    health = http.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(), BodyHandlers.ofString());
                } catch (IOException notYet) {
                    Thread.onSpinWait();
                    server.waitFor(200, TimeUnit.MILLISECONDS);
                }
            }
            assertThat(health).as(Files.readString(root.resolve("tmp/launch.log"))).isNotNull();
            assertThat(health.statusCode()).isEqualTo(200);
            // The JDK's HTTP server, Jackson, and the JVM's metrics (java.management, jdk.management) all present.
            String tasks = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/tasks")).build(), BodyHandlers.ofString()).body();
            assertThat(new ObjectMapper().readTree(tasks).get("tasks").isArray()).as(tasks).isTrue();
            String metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), BodyHandlers.ofString()).body();
            assertThat(metrics).contains("ferry_build_info{version=\"" + FerryVersion.current() + "\"}", "jvm_memory_used_bytes",
                    "process_cpu_seconds_total");
        } finally {
            // A clean stop on SIGTERM: Ferry's own signal handler (jdk.unsupported) runs in the image's runtime.
            int exit = ImageRunner.stop(server, 60);
            if (exit != 0) {
                server.destroyForcibly();
            }
            assertThat(exit).as(Files.readString(root.resolve("tmp/launch.log"))).isZero();
            assertThat(Files.readString(root.resolve("tmp/launch.log"))).contains("ferry: server stopping");
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
