package dev.ferry.server;

import dev.ferry.precheck.CheckResult;
import dev.ferry.precheck.PrecheckReport;
import dev.ferry.task.SyncTask;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the API shows of a task, as maps for Jackson; never a password (definitions hold none). Stateless. */
final class TaskViews {

    private TaskViews() {
    }

    static Map<String, Object> summary(ManagedTask t) {
        Map<String, Object> remote = t.remoteView();
        if (remote != null) {
            // Run by another worker of the group: what it last published.
            Map<String, Object> m = new LinkedHashMap<>(remote);
            m.put("name", t.name());
            return m;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("state", t.state());
        if (t.worker() != null) {
            m.put("worker", t.worker());
        }
        m.put("origin", t.stored().origin());
        long[] progress = t.snapshotProgress();
        m.put("snapshot", Map.of("keysDone", progress[0], "keysTotal", progress[1]));
        long lag = -1;
        long writes = 0;
        long full = 0;
        long partial = 0;
        String retry = null;
        for (SyncTask s : t.shards()) {
            lag = Math.max(lag, s.lagMillis());
            writes += s.counters().commandsForwarded.sum();
            full += s.fullResyncs();
            partial += s.partialResyncs();
            retry = s.retryReason() != null && "retrying".equals(t.state()) ? s.retryReason() : retry;
            if (s.leaseLapsed()) {
                retry = "its lease in the target was not renewed in time (this process paused, or the target out of"
                        + " reach): nothing is applied until it is, or until it learns another process took the task";
            }
        }
        if (retry == null && "retrying".equals(t.state())) {
            retry = t.peerWait();
        }
        m.put("lagMillis", lag);
        m.put("writesForwarded", writes);
        // Of the engine running now (since this process started it): a task moved between workers shows its
        // partial resync there.
        m.put("fullResyncs", full);
        m.put("partialResyncs", partial);
        m.put("retryReason", retry);
        m.put("error", t.error());
        BacklogWatch.Coverage coverage = t.backlogCoverage();
        m.put("backlogCovers", coverage == null ? null
                : map("secondsLeft", coverage.secondsLeft(), "text", coverage.text()));
        return m;
    }

    static Map<String, Object> detail(ManagedTask t) {
        Map<String, Object> m = summary(t);
        m.put("definition", t.stored().options());
        m.put("desired", t.stored().desired());
        m.put("precheck", precheck(t.precheckReport()));
        List<Map<String, Object>> shards = new ArrayList<>();
        for (SyncTask s : t.shards()) {
            shards.add(map("id", s.id(), "source", s.source().address(),
                    "state", s.state().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    "appliedOffset", s.appliedOffset(), "fullResyncs", s.fullResyncs(),
                    "partialResyncs", s.partialResyncs(), "lastEvent", s.lastEvent()));
        }
        m.put("shards", shards);
        return m;
    }

    /** The precheck table: one row per check; null when none ran. */
    static List<Map<String, Object>> precheck(PrecheckReport report) {
        if (report == null) {
            return null;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (CheckResult r : report.results()) {
            rows.add(map("check", r.name(), "status", r.status().name().toLowerCase(Locale.ROOT), "detail", r.detail(),
                    "fix", r.fix()));
        }
        return rows;
    }

    /** A map that keeps its order and takes nulls. */
    static Map<String, Object> map(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
