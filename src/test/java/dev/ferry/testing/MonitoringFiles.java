package dev.ferry.testing;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Grafana dashboard and the Prometheus alert rules shipped under docs/, read as their tools read them (JSON,
 * YAML), and the metrics their PromQL expressions select.
 */
public final class MonitoringFiles {

    public static final Path DASHBOARD = Path.of("docs", "grafana", "ferry-dashboard.json");
    public static final Path ALERTS = Path.of("docs", "prometheus", "ferry-alerts.yml");

    /** A metric an expression selects, with its equality matchers ({@code state="failed"}); template values left out. */
    public record Selector(String metric, Map<String, String> labels) {
    }

    private static final Pattern SELECTOR = Pattern.compile("\\b((?:ferry|jvm|process)_[a-zA-Z0-9_:]*)\\s*(\\{[^}]*})?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"");

    private MonitoringFiles() {
    }

    /** The dashboard, as parsed JSON. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> dashboard() throws IOException {
        return (Map<String, Object>) new Yaml().load(Files.readString(DASHBOARD));
    }

    /** The rule groups' rules, as parsed YAML, in order. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> alertRules() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(ALERTS));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return rules;
    }

    /** Every PromQL expression of the dashboard's panels and of the alert rules. */
    @SuppressWarnings("unchecked")
    public static List<String> expressions() throws IOException {
        List<String> exprs = new ArrayList<>();
        for (Map<String, Object> panel : (List<Map<String, Object>>) dashboard().get("panels")) {
            for (Map<String, Object> target : (List<Map<String, Object>>) panel.get("targets")) {
                exprs.add((String) target.get("expr"));
            }
        }
        for (Map<String, Object> rule : alertRules()) {
            exprs.add(String.valueOf(rule.get("expr")));
        }
        return exprs;
    }

    /** The metrics (Ferry's, the JVM's, the process's) an expression selects. */
    public static List<Selector> selectors(String expr) {
        List<Selector> out = new ArrayList<>();
        Matcher m = SELECTOR.matcher(expr);
        while (m.find()) {
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = MATCHER.matcher(m.group(2));
                while (l.find()) {
                    if (l.group(2).equals("=") && !l.group(3).contains("$")) {
                        labels.put(l.group(1), l.group(3));
                    }
                }
            }
            out.add(new Selector(m.group(1), labels));
        }
        return out;
    }

    /** The selectors of every expression that no sample of {@code scrape} answers: by sample name and labels. */
    public static List<Selector> missingIn(Map<String, Exposition.Family> scrape) throws IOException {
        List<Selector> missing = new ArrayList<>();
        for (String expr : expressions()) {
            for (Selector s : selectors(expr)) {
                boolean found = scrape.values().stream().flatMap(f -> f.samples().stream())
                        .anyMatch(sample -> sample.name().equals(s.metric())
                                && sample.labels().entrySet().containsAll(s.labels().entrySet()));
                if (!found) {
                    missing.add(s);
                }
            }
        }
        return missing;
    }
}
