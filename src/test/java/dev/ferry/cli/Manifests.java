package dev.ferry.cli;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes objects of deploy/kubernetes, read as kubectl reads them (YAML), following kustomization.yaml's
 * resources, and small helpers to walk them. Stateless; for tests.
 */
final class Manifests {

    static final Path DIR = Path.of("deploy", "kubernetes");
    /** Shows the Secrets' keys; deliberately not among the kustomization's resources. */
    static final Path SECRET_EXAMPLE = DIR.resolve("secret-example.yaml");
    private static final Pattern QUANTITY = Pattern.compile("([0-9]+)(Ki|Mi|Gi)?");

    private Manifests() {
    }

    /** kustomization.yaml, parsed. */
    static Map<String, Object> kustomization() throws IOException {
        return map(load(DIR.resolve("kustomization.yaml")).get(0));
    }

    /** Every object of every resource the kustomization lists, in order. */
    static List<Map<String, Object>> objects() throws IOException {
        List<Map<String, Object>> all = new ArrayList<>();
        for (Object resource : list(kustomization().get("resources"))) {
            for (Object doc : load(DIR.resolve((String) resource))) {
                all.add(map(doc));
            }
        }
        return all;
    }

    /** The one object of {@code kind} named {@code name} among {@code objects}. */
    static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
        List<Map<String, Object>> found = objects.stream()
                .filter(o -> kind.equals(o.get("kind")) && name.equals(at(o, "metadata", "name"))).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " objects " + kind + "/" + name + " (expected 1)");
        }
        return found.get(0);
    }

    static List<Object> load(Path file) throws IOException {
        List<Object> docs = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))) {
            if (doc != null) {
                docs.add(doc);
            }
        }
        return docs;
    }

    /** The node at {@code path}: map keys, or list indices as numbers. */
    static Object at(Object node, Object... path) {
        Object n = node;
        for (Object step : path) {
            if (n == null) {
                throw new AssertionError("nothing at " + List.of(path) + " (stopped before " + step + ")");
            }
            n = step instanceof Integer i ? list(n).get(i) : map(n).get(step);
        }
        return n;
    }

    /** The first container of a workload's pod template. */
    static Map<String, Object> container(Map<String, Object> workload) {
        return map(at(workload, "spec", "template", "spec", "containers", 0));
    }

    /** A Kubernetes memory quantity ("640Mi") in bytes. */
    static long bytes(String quantity) {
        Matcher m = QUANTITY.matcher(quantity);
        if (!m.matches()) {
            throw new AssertionError("quantity " + quantity + " (expected digits and Ki, Mi or Gi)");
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "Ki" -> 10;
            case "Mi" -> 20;
            default -> 30;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        return (List<Object>) node;
    }
}
