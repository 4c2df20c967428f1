package dev.ferry.verify;

import dev.ferry.resp.KeyText;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a {@link VerifyReport} as JSON. Keys are written in {@link KeyText} form (printable ASCII,
 * other bytes {@code \xHH}) and then JSON-escaped, so a binary key name survives any JSON reader
 * and maps back to its exact bytes.
 *
 * <pre>{@code
 * {"consistent": false, "mode": "outline", "source": "...", "target": "...", "databases": [0],
 *  "keys": {"source": 3, "target": 3}, "rounds": [2, 1], "elapsedMillis": 12,
 *  "counts": {"value": 1},
 *  "differences": [{"db": 0, "key": "k\\xff", "kind": "value", "detail": "..."}]}
 * }</pre>
 */
public final class JsonReportWriter {

    private JsonReportWriter() {
    }

    /** Writes the report to {@code file}, replacing it. */
    public static void write(VerifyReport report, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            write(report, w);
        }
    }

    public static void write(VerifyReport report, Writer w) throws IOException {
        w.write("{\n  \"consistent\": " + report.consistent());
        w.write(",\n  \"mode\": " + string(report.mode().label()));
        w.write(",\n  \"source\": " + string(report.source()));
        w.write(",\n  \"target\": " + string(report.target()));
        w.write(",\n  \"databases\": " + new TreeSet<>(report.dbs()).toString().replace(" ", ""));
        w.write(",\n  \"keys\": {\"source\": " + report.sourceKeys() + ", \"target\": " + report.targetKeys() + "}");
        w.write(",\n  \"rounds\": " + report.roundDifferences().toString().replace(" ", ""));
        w.write(",\n  \"elapsedMillis\": " + report.elapsedMillis());
        w.write(",\n  \"counts\": {");
        String sep = "";
        for (Map.Entry<Difference.Kind, Integer> e : report.countsByKind().entrySet()) {
            w.write(sep + string(e.getKey().label()) + ": " + e.getValue());
            sep = ", ";
        }
        w.write("},\n  \"differences\": [");
        sep = "\n    ";
        for (Difference d : report.differences()) {
            w.write(sep + "{\"db\": " + d.key().db() + ", \"key\": " + string(KeyText.escape(d.key().key()))
                    + ", \"kind\": " + string(d.kind().label()) + ", \"detail\": " + string(d.detail()) + "}");
            sep = ",\n    ";
        }
        w.write(report.differences().isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
    }

    /** A JSON string literal, quotes included (RFC 8259 escaping; also used for the JSON log lines). */
    public static String string(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
