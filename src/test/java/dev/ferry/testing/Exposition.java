package dev.ferry.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it refuses what Prometheus
 * would refuse or misread (a malformed line, a bad escape, a TYPE after its samples or twice, a family split in two, a
 * sample that belongs to no family of its type, a series given twice, a negative or NaN counter) with the line number.
 */
public final class Exposition {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line. Labels sorted by name. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A metric family: its TYPE (untyped when none was given), its HELP (null when none), its samples in order. */
    public record Family(String name, String type, String help, List<Sample> samples) {
    }

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Map<String, String> help = new LinkedHashMap<>();
    private final Set<String> series = new HashSet<>();
    private final Set<String> closed = new HashSet<>();
    private Family current;
    private int lineNo;

    private Exposition() {
    }

    /** Parses a whole scrape; every family by name. */
    public static Map<String, Family> parse(String text) {
        Exposition p = new Exposition();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        for (String line : text.split("\n", -1)) {
            p.lineNo++;
            p.line(line);
        }
        Map<String, Family> out = new LinkedHashMap<>();
        p.families.forEach((name, f) -> out.put(name, new Family(name, f.type(), p.help.get(name), List.copyOf(f.samples()))));
        return out;
    }

    private void line(String line) {
        if (line.isEmpty()) {
            return;
        }
        if (line.startsWith("#")) {
            comment(line);
            return;
        }
        sample(line);
    }

    private void comment(String line) {
        String[] parts = line.split(" ", 4);
        if (parts.length < 3 || !parts[0].equals("#") || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
            return;
        }
        String name = parts[2];
        check(METRIC_NAME.matcher(name).matches(), "bad metric name in " + parts[1] + ": " + name);
        String rest = parts.length > 3 ? parts[3] : "";
        if (parts[1].equals("HELP")) {
            check(!help.containsKey(name), "second HELP for " + name);
            help.put(name, unescape(rest));
            return;
        }
        check(TYPES.contains(rest), "unknown TYPE " + rest + " for " + name);
        check(!families.containsKey(name), "TYPE for " + name + " after its samples or a second time");
        enter(new Family(name, rest, null, new ArrayList<>()));
    }

    private void enter(Family f) {
        if (current != null) {
            closed.add(current.name());
        }
        check(!closed.contains(f.name()), "family " + f.name() + " split in two");
        families.put(f.name(), f);
        current = f;
    }

    private void sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        check(METRIC_NAME.matcher(name).matches(), "bad metric name: " + name);
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
        }
        check(i < line.length() && line.charAt(i) == ' ', "no value after " + name);
        String[] rest = line.substring(i + 1).split(" ", -1);
        check(rest.length == 1 || rest.length == 2, "expected a value and at most a timestamp: " + line);
        double value = value(rest[0]);
        if (rest.length == 2) {
            check(rest[1].matches("-?[0-9]+"), "bad timestamp: " + rest[1]);
        }
        Family f = familyOf(name, labels);
        if (f.type().equals("counter")) {
            check(!Double.isNaN(value) && value >= 0, "counter " + name + " is " + value);
        }
        check(series.add(name + labels), "series given twice: " + name + labels);
        f.samples().add(new Sample(name, Map.copyOf(labels), value));
    }

    /** The family a sample belongs to: the current one when its name fits the family's type, else an untyped one. */
    private Family familyOf(String name, Map<String, String> labels) {
        if (current != null && belongs(current, name, labels)) {
            return current;
        }
        check(current == null || !name.startsWith(current.name() + "_") && !name.equals(current.name()),
                "sample " + name + " does not fit the " + (current == null ? "" : current.type()) + " it follows");
        Family known = families.get(name);
        check(known == null || known.type().equals("untyped") && known == current,
                "sample " + name + " does not fit the family it belongs to (" + (known == null ? "?" : known.type()) + ")");
        if (known == null) {
            enter(new Family(name, "untyped", null, new ArrayList<>()));
        }
        return current;
    }

    private static boolean belongs(Family f, String name, Map<String, String> labels) {
        String base = f.name();
        return switch (f.type()) {
            case "counter", "gauge", "untyped" -> name.equals(base);
            case "summary" -> name.equals(base) && labels.containsKey("quantile") || name.equals(base + "_sum")
                    || name.equals(base + "_count");
            case "histogram" -> name.equals(base + "_bucket") && labels.containsKey("le") || name.equals(base + "_sum")
                    || name.equals(base + "_count");
            default -> false;
        };
    }

    /** Reads {@code name="value",...}} from {@code i}; returns the index after the closing brace. */
    private int labels(String line, int i, Map<String, String> into) {
        while (true) {
            check(i < line.length(), "unterminated labels");
            if (line.charAt(i) == '}') {
                return i + 1;
            }
            int eq = line.indexOf('=', i);
            check(eq > i, "label without '='");
            String label = line.substring(i, eq);
            check(LABEL_NAME.matcher(label).matches(), "bad label name: " + label);
            check(eq + 1 < line.length() && line.charAt(eq + 1) == '"', "label value of " + label + " not quoted");
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            while (true) {
                check(j < line.length(), "unterminated value of label " + label);
                char c = line.charAt(j);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    check(j + 1 < line.length(), "dangling backslash");
                    char e = line.charAt(++j);
                    check(e == '\\' || e == '"' || e == 'n', "bad escape \\" + e + " in label " + label);
                    value.append(e == 'n' ? '\n' : e);
                } else {
                    value.append(c);
                }
                j++;
            }
            check(into.put(label, value.toString()) == null, "label " + label + " given twice");
            i = j + 1;
            check(i < line.length(), "unterminated labels");
            if (line.charAt(i) == ',') {
                i++;
            } else {
                check(line.charAt(i) == '}', "expected ',' or '}' after label " + label);
            }
        }
    }

    private double value(String text) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                check(text.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?"), "bad value: " + text);
                return Double.parseDouble(text);
        }
    }

    /** HELP text escapes only backslash and line feed. */
    private String unescape(String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                check(i + 1 < text.length(), "dangling backslash in HELP");
                char e = text.charAt(++i);
                check(e == '\\' || e == 'n', "bad escape \\" + e + " in HELP");
                sb.append(e == 'n' ? '\n' : e);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("line " + lineNo + ": " + what);
        }
    }
}
