package dev.ferry.cli;

import dev.ferry.metrics.FerryMetrics;
import dev.ferry.server.FerryServer;
import dev.ferry.server.TaskStore;
import dev.ferry.server.WorkerGroup;
import dev.ferry.metrics.MeteredTask;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.server.ApiServer;
import dev.ferry.server.ConfigFile;
import dev.ferry.server.TaskDefinition;
import dev.ferry.task.SyncOptions;
import dev.ferry.task.SyncTask;
import dev.ferry.testing.Exposition;
import dev.ferry.testing.MonitoringFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.ferry.cli.Manifests.at;
import static dev.ferry.cli.Manifests.bytes;
import static dev.ferry.cli.Manifests.container;
import static dev.ferry.cli.Manifests.find;
import static dev.ferry.cli.Manifests.list;
import static dev.ferry.cli.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * deploy/kubernetes, parsed and checked against the code: the arguments against ferry worker's and ferry server's
 * picocli options, ports and probes against the HTTP endpoints, password variables against the Secret, selectors
 * against labels, alert expressions against what Ferry exports, resources against the memory budget. No cluster
 * and no Redis needed; kubectl only for the one test that asks it to render the kustomization.
 */
class KubernetesManifestsTest {

    private static final long MIB = 1L << 20;
    /** Not Ferry's: Prometheus's own and kube-state-metrics' series the alerts may use. */
    private static final Set<String> OTHER_METRICS = Set.of("up", "kube_deployment_status_replicas_available",
            "kube_pod_container_status_restarts_total");
    private static final Pattern IDENTIFIER = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*(\\{|\\[|==|>|<|\\))");
    private static final Pattern JVM_SIZE = Pattern.compile("([0-9]+)([kmg])");

    @TempDir
    Path dir;

    private final List<Map<String, Object>> objects;
    private final Map<String, Object> worker;
    private final Map<String, Object> server;

    KubernetesManifestsTest() throws IOException {
        objects = Manifests.objects();
        worker = find(objects, "Deployment", "ferry-worker");
        server = find(objects, "StatefulSet", "ferry-server");
    }

    @Test
    void kustomizationListsEveryManifestButTheSecretExampleAndEachExists() throws IOException {
        List<Object> resources = list(Manifests.kustomization().get("resources"));
        try (Stream<Path> files = Files.list(Manifests.DIR)) {
            assertThat(files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .filter(n -> !Manifests.DIR.resolve(n).equals(Manifests.SECRET_EXAMPLE)))
                    .containsExactlyInAnyOrderElementsOf(resources.stream().map(String::valueOf).toList());
        }
        assertThat(objects).extracting(o -> o.get("kind") + "/" + at(o, "metadata", "name")).contains(
                "ConfigMap/ferry-tasks", "Deployment/ferry-worker", "Service/ferry-worker",
                "PodDisruptionBudget/ferry-worker", "ServiceMonitor/ferry-worker", "PrometheusRule/ferry",
                "StatefulSet/ferry-server", "Service/ferry-server");
        assertThat(at(Manifests.kustomization(), "images", 0, "name")).isEqualTo(container(worker).get("image"))
                .isEqualTo(container(server).get("image"));
    }

    @Test
    void workerArgumentsAreOptionsOfFerryWorkerAndNameTheMountedFiles() {
        WorkerCommand w = parse(container(worker), WorkerCommand.class);
        assertThat(at(worker, "spec", "replicas")).isEqualTo(3);
        assertThat(w.port).isEqualTo(WorkerCommand.DEFAULT_PORT).isEqualTo(httpPort(worker));
        assertThat(w.host).isEqualTo("0.0.0.0");
        assertMountedFromConfigMap(worker, w.config, "ferry-tasks");
        assertMountedFromSecret(worker, w.tokenFile, "ferry-api-token");
    }

    @Test
    void serverArgumentsAreOptionsOfFerryServerWithItsDataOnAPersistentVolume() {
        ServerCommand s = parse(container(server), ServerCommand.class);
        assertThat(s.port).isEqualTo(httpPort(server));
        assertThat(s.host).isEqualTo("0.0.0.0");
        assertMountedFromConfigMap(server, s.config, "ferry-server-tasks");
        assertMountedFromSecret(server, s.tokenFile, "ferry-api-token");
        Map<String, Object> data = mount(server, s.dataDir);
        assertThat(list(at(server, "spec", "volumeClaimTemplates"))).extracting(c -> at(c, "metadata", "name"))
                .contains(data.get("name"));
    }

    @Test
    void probesAskTheHealthEndpointsOnTheHttpPort() {
        for (Map<String, Object> workload : List.of(worker, server)) {
            Map<String, Object> c = container(workload);
            assertThat(at(c, "livenessProbe", "httpGet", "path")).isEqualTo(ApiServer.HEALTH);
            assertThat(at(c, "readinessProbe", "httpGet", "path")).isEqualTo(ApiServer.READY);
            assertThat(at(c, "livenessProbe", "httpGet", "port")).isEqualTo("http");
            assertThat(at(c, "readinessProbe", "httpGet", "port")).isEqualTo("http");
        }
    }

    @Test
    void everyPasswordVariableOfTheTasksIsAKeyOfTheSecretTheWorkersRead() throws IOException {
        Path file = dir.resolve("ferry.yaml");
        Files.writeString(file, (String) at(find(objects, "ConfigMap", "ferry-tasks"), "data", "ferry.yaml"));
        List<TaskDefinition> tasks = ConfigFile.read(file);
        Map<String, Object> secret = map(Manifests.load(Manifests.SECRET_EXAMPLE).stream()
                .filter(o -> "ferry-passwords".equals(at(o, "metadata", "name"))).findFirst().orElseThrow());
        Map<String, Object> keys = map(secret.get("stringData"));
        assertThat(tasks).isNotEmpty();
        for (TaskDefinition task : tasks) {
            for (String side : List.of("source", "target", "sentinel")) {
                if (task.passwordEnv(side) != null) {
                    assertThat(keys).as(task.name() + " " + side).containsKey(task.passwordEnv(side));
                }
            }
            // Every option is one of ferry sync's, with the variables the Secret provides.
            new SyncDefinitions(name -> (String) keys.get(name)).plan(task);
        }
        assertThat(keys.values()).allSatisfy(v -> assertThat((String) v).startsWith("PLACEHOLDER"));
        for (Map<String, Object> workload : List.of(worker, server)) {
            assertThat(list(container(workload).get("envFrom"))).extracting(e -> at(e, "secretRef", "name"))
                    .contains("ferry-passwords");
        }
    }

    @Test
    void serviceMonitorAndPodDisruptionBudgetSelectTheWorkers() {
        Map<String, Object> podLabels = map(at(worker, "spec", "template", "metadata", "labels"));
        assertThat(podLabels).containsAllEntriesOf(map(at(worker, "spec", "selector", "matchLabels")));
        Map<String, Object> pdb = find(objects, "PodDisruptionBudget", "ferry-worker");
        assertThat(podLabels).containsAllEntriesOf(map(at(pdb, "spec", "selector", "matchLabels")));
        assertThat(at(pdb, "spec", "maxUnavailable")).isEqualTo(1);
        Map<String, Object> service = find(objects, "Service", "ferry-worker");
        assertThat(podLabels).containsAllEntriesOf(map(at(service, "spec", "selector")));
        assertThat(at(service, "spec", "ports", 0, "targetPort")).isEqualTo(at(container(worker), "ports", 0, "name"));
        Map<String, Object> monitor = find(objects, "ServiceMonitor", "ferry-worker");
        assertThat(map(at(service, "metadata", "labels"))).containsAllEntriesOf(map(at(monitor, "spec", "selector", "matchLabels")));
        Map<String, Object> endpoint = map(at(monitor, "spec", "endpoints", 0));
        assertThat(endpoint.get("port")).isEqualTo(at(service, "spec", "ports", 0, "name"));
        assertThat(endpoint.get("path")).isEqualTo("/metrics");
        // The token Prometheus sends is the one the workers require (--api-token-file: a key of the mounted Secret).
        WorkerCommand w = parse(container(worker), WorkerCommand.class);
        assertThat(at(endpoint, "authorization", "credentials", "name")).isEqualTo("ferry-api-token");
        assertThat(at(endpoint, "authorization", "credentials", "key")).isEqualTo(w.tokenFile.getFileName().toString());
    }

    @Test
    void alertsSelectOnlyMetricsFerryExportsWithLabelValuesItUses(@org.junit.jupiter.api.io.TempDir Path workerDir) {
        SyncTask task = new SyncTask(SyncOptions.builder(RedisEndpoint.of("127.0.0.1", 1), RedisEndpoint.of("127.0.0.1", 2))
                .build(), null);
        Map<String, Exposition.Family> scrape = new java.util.HashMap<>();
        Set<String> exported = new HashSet<>();
        try (FerryMetrics metrics = new FerryMetrics()) {
            metrics.add(MeteredTask.of(task));
            scrape.putAll(Exposition.parse(metrics.scrape()));
            // Families without a point yet (the lag of a task that has not run) are left out of the text: their names.
            for (MetricSnapshot family : metrics.registry().scrape()) {
                String name = family.getMetadata().getPrometheusName();
                exported.add(family instanceof CounterSnapshot ? name + "_total" : name);
            }
        }
        // A worker's own series (the group as it sees it), registered when it joins a group.
        try (FerryServer worker = new FerryServer(new TaskStore(workerDir), new SyncDefinitions())) {
            worker.joinGroup(new WorkerGroup(worker, RedisEndpoint.of("127.0.0.1", 1), "ferry", "w1", Duration.ofSeconds(10)));
            Map<String, Exposition.Family> workerScrape = Exposition.parse(worker.metrics().scrape());
            exported.addAll(workerScrape.keySet());
            scrape.putAll(workerScrape);
        }
        List<Object> rules = list(at(find(objects, "PrometheusRule", "ferry"), "spec", "groups", 0, "rules"));
        assertThat(rules).extracting(r -> map(r).get("alert"))
                .contains("FerryTaskFailed", "FerryLagHigh", "FerryNoWorkerReady");
        for (Object rule : rules) {
            String expr = (String) map(rule).get("expr");
            Set<String> ferry = new HashSet<>();
            for (MonitoringFiles.Selector s : MonitoringFiles.selectors(expr)) {
                ferry.add(s.metric());
                assertThat(exported).as(expr).contains(s.metric());
                s.labels().forEach((label, value) -> assertThat(scrape.get(s.metric()).samples()).as(expr)
                        .anySatisfy(sample -> assertThat(sample.labels()).containsEntry(label, value)));
            }
            Matcher m = IDENTIFIER.matcher(expr);
            while (m.find()) {
                String name = m.group(1);
                if (!ferry.contains(name) && !isPromQl(name)) {
                    assertThat(OTHER_METRICS).as(expr).contains(name);
                }
            }
        }
    }

    @Test
    void memoryLimitHoldsTheHeapAndWhatLivesBesideItAndTheHeapHoldsTheBudget() {
        WorkerCommand w = parse(container(worker), WorkerCommand.class);
        assertThat(w.memoryBudget).isNotNull();
        for (Map<String, Object> workload : List.of(worker, server)) {
            Map<String, Object> c = container(workload);
            String options = list(c.get("env")).stream().map(Manifests::map)
                    .filter(e -> "JDK_JAVA_OPTIONS".equals(e.get("name"))).map(e -> (String) e.get("value"))
                    .findFirst().orElseThrow();
            long heap = jvmSize(options, "-Xmx");
            long beside = jvmSize(options, "-XX:MaxMetaspaceSize=") + jvmSize(options, "-XX:ReservedCodeCacheSize=")
                    + jvmSize(options, "-XX:MaxDirectMemorySize=")
                    + 96 * MIB; // thread stacks (~32), GC, symbols and malloc (~64): the manifest's comment
            long limit = bytes((String) at(c, "resources", "limits", "memory"));
            assertThat(limit).as(workload.get("kind") + ": limit >= heap + beside it").isGreaterThanOrEqualTo(heap + beside);
            assertThat(bytes((String) at(c, "resources", "requests", "memory"))).isEqualTo(limit);
            // The budget (spools, batches, writes in flight) is part of the heap; the rest of Ferry needs room too.
            assertThat(heap - w.memoryBudget).as("heap beside the budget").isGreaterThanOrEqualTo(128 * MIB);
        }
    }

    @Test
    void workersHaveTimeToCommitTheirCheckpointsAndReleaseTheirLeasesOnSigterm() {
        WorkerCommand w = parse(container(worker), WorkerCommand.class);
        int grace = (Integer) at(worker, "spec", "template", "spec", "terminationGracePeriodSeconds");
        assertThat(grace).isGreaterThanOrEqualTo(30).isGreaterThan((int) w.leaseTtl.toSeconds());
        assertThat((Integer) at(server, "spec", "template", "spec", "terminationGracePeriodSeconds")).isGreaterThanOrEqualTo(30);
    }

    @Test
    void kubectlRendersTheSameObjects() throws Exception {
        Path kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(d -> Path.of(d, "kubectl")).filter(Files::isExecutable).findFirst().orElse(null);
        assumeThat(kubectl).as("kubectl on PATH").isNotNull();
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", Manifests.DIR.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String rendered = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        Path out = dir.resolve("rendered.yaml");
        Files.writeString(out, rendered);
        List<String> names = Manifests.load(out).stream().map(o -> map(o).get("kind") + "/" + at(o, "metadata", "name")).toList();
        assertThat(names).containsExactlyInAnyOrderElementsOf(
                objects.stream().map(o -> o.get("kind") + "/" + at(o, "metadata", "name")).toList());
        assertThat(rendered).contains("image: registry.example.com/ferry:");
    }

    /** Parses a container's args as `ferry` would: an unknown option or a bad value fails the test. */
    private static <T> T parse(Map<String, Object> container, Class<T> command) {
        String[] args = list(container.get("args")).stream().map(String::valueOf).toArray(String[]::new);
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args);
        assertThat(parsed.subcommand()).as("a subcommand in " + List.of(args)).isNotNull();
        return command.cast(parsed.subcommand().commandSpec().userObject());
    }

    private static int httpPort(Map<String, Object> workload) {
        Map<String, Object> port = map(at(container(workload), "ports", 0));
        assertThat(port.get("name")).isEqualTo("http");
        return (Integer) port.get("containerPort");
    }

    /** The volume mounted where {@code file} (or a directory) is. */
    private static Map<String, Object> mount(Map<String, Object> workload, Path file) {
        for (Object m : list(container(workload).get("volumeMounts"))) {
            Path at = Path.of((String) map(m).get("mountPath"));
            if (file.equals(at) || file.startsWith(at)) {
                String name = (String) map(m).get("name");
                return map(list(at(workload, "spec", "template", "spec", "volumes")).stream()
                        .filter(v -> name.equals(map(v).get("name"))).findFirst().orElse(Map.of("name", name)));
            }
        }
        throw new AssertionError("nothing mounted at " + file);
    }

    private void assertMountedFromConfigMap(Map<String, Object> workload, Path file, String configMap) {
        assertThat(at(mount(workload, file), "configMap", "name")).isEqualTo(configMap);
        assertThat(map(at(find(objects, "ConfigMap", configMap), "data"))).containsKey(file.getFileName().toString());
    }

    private static void assertMountedFromSecret(Map<String, Object> workload, Path file, String secret) {
        assertThat(at(mount(workload, file), "secret", "secretName")).isEqualTo(secret);
    }

    private static long jvmSize(String options, String flag) {
        for (String option : options.split(" ")) {
            if (option.startsWith(flag)) {
                Matcher m = JVM_SIZE.matcher(option.substring(flag.length()));
                assertThat(m.matches()).as(option).isTrue();
                return Long.parseLong(m.group(1)) << switch (m.group(2)) {
                    case "k" -> 10;
                    case "m" -> 20;
                    default -> 30;
                };
            }
        }
        throw new AssertionError(flag + " missing from " + options);
    }

    private static boolean isPromQl(String word) {
        return Set.of("and", "or", "unless", "by", "without", "on", "ignoring", "absent", "increase", "rate", "sum",
                "max", "min", "avg", "count").contains(word);
    }
}
