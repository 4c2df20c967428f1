package dev.ferry.verify;

import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeSet;

/** The human summary of a {@link VerifyReport}: a few lines, then the first differing keys. */
public final class SummaryRenderer {

    private SummaryRenderer() {
    }

    /** The summary, listing at most {@code maxKeys} differing keys. Ends with a newline. */
    public static String render(VerifyReport report, int maxKeys) {
        StringBuilder sb = new StringBuilder();
        sb.append("ferry verify (").append(report.mode().label()).append(", databases ")
                .append(joined(new TreeSet<>(report.dbs()))).append(")\n");
        sb.append("  source ").append(report.source()).append(": ").append(report.sourceKeys()).append(" keys\n");
        sb.append("  target ").append(report.target()).append(": ").append(report.targetKeys()).append(" keys\n");
        StringJoiner rounds = new StringJoiner(", ");
        for (int i = 0; i < report.roundDifferences().size(); i++) {
            rounds.add("round " + (i + 1) + ": " + report.roundDifferences().get(i));
        }
        sb.append("  differing keys by round: ").append(rounds).append('\n');
        double seconds = report.elapsedMillis() / 1000.0;
        long keys = Math.max(report.sourceKeys(), report.targetKeys());
        sb.append(String.format("  time: %.1f s (%,d keys/s)%n", seconds, seconds > 0 ? (long) (keys / seconds) : keys));
        if (report.consistent()) {
            sb.append("  result: consistent\n");
            return sb.toString();
        }
        StringJoiner kinds = new StringJoiner(", ");
        for (Map.Entry<Difference.Kind, Integer> e : report.countsByKind().entrySet()) {
            kinds.add(e.getValue() + " " + e.getKey().label());
        }
        sb.append("  result: ").append(report.differences().size()).append(" differing keys (").append(kinds).append(")\n");
        int shown = 0;
        for (Difference d : report.differences()) {
            if (shown++ == maxKeys) {
                sb.append("  ... and ").append(report.differences().size() - maxKeys).append(" more (all in the JSON report)\n");
                break;
            }
            sb.append(String.format("  %-7s %s%n", d.kind().label(), d));
        }
        return sb.toString();
    }

    private static String joined(Iterable<Integer> dbs) {
        StringJoiner j = new StringJoiner(",");
        dbs.forEach(db -> j.add(Integer.toString(db)));
        return j.toString();
    }
}
