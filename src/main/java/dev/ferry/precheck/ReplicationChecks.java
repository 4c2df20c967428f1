package dev.ferry.precheck;

import dev.ferry.FerryException;
import dev.ferry.resp.RespValue;
import dev.ferry.resp.ServerInfo;

import java.util.List;
import java.util.Locale;

/**
 * Will the source let Ferry replicate, and keep it replicating: {@code PSYNC} allowed for this account,
 * replication settings that survive a snapshot and a short network cut, and the known limits of old versions.
 *
 * <p>None of these checks sends {@code PSYNC}: a real one makes the source fork and write a snapshot.
 * Permission is read from the ACL instead ({@code ACL DRYRUN} on 7.0+, {@code ACL GETUSER} on 6.x), and a
 * renamed or disabled command shows as missing from {@code COMMAND INFO}.
 */
final class ReplicationChecks {

    /** The last RDB version Redis and Valkey share (Redis 7.2, where Valkey forked). */
    private static final int SHARED_RDB_VERSION = 11;

    static final long RECOMMENDED_BACKLOG = 64L << 20;
    static final long RECOMMENDED_REPL_TIMEOUT = 60;
    static final long RECOMMENDED_BUFFER_HARD = 256L << 20;

    private ReplicationChecks() {
    }

    static CheckResult psync(String name, Side source) {
        ServerInfo.Version v = source.version();
        if (!v.atLeast(2, 8)) {
            return CheckResult.fail(name, "source " + v + " has no PSYNC (added in 2.8)", "upgrade the source to Redis 2.8 or later");
        }
        RespValue info = source.conn().call("COMMAND", "INFO", "PSYNC");
        if (info instanceof RespValue.Array a && (a.items() == null || a.items().isEmpty() || isNull(a.items().get(0)))) {
            return CheckResult.fail(name, "the source has no PSYNC command: it is disabled or renamed (managed services often do this)",
                    "enable replication for external replicas in the provider's settings, or use a source that allows PSYNC");
        }
        String user = source.endpoint().user() == null ? "default" : source.endpoint().user();
        if (v.atLeast(7, 0)) {
            RespValue dry = source.conn().call("ACL", "DRYRUN", user, "PSYNC", "?", "-1");
            if (!dry.isError()) {
                if (dry instanceof RespValue.SimpleString ok && ok.value().equals("OK")) {
                    return CheckResult.pass(name, "ACL DRYRUN: user '" + user + "' may run PSYNC");
                }
                return CheckResult.fail(name, "user '" + user + "' may not run PSYNC: " + dry.asText(),
                        "allow it: ACL SETUSER " + user + " +psync +replconf +ping");
            }
        } else if (v.atLeast(6, 0)) {
            RespValue acl = source.conn().call("ACL", "GETUSER", user);
            String commands = aclCommands(acl);
            if (commands != null) {
                String c = commands.toLowerCase(Locale.ROOT);
                if (c.contains("-psync") || c.contains("-@all") || c.contains("-@admin") || c.contains("-@dangerous")) {
                    return CheckResult.fail(name, "user '" + user + "' is denied PSYNC (ACL commands: " + commands + ")",
                            "allow it: ACL SETUSER " + user + " +psync +replconf +ping");
                }
                if (c.contains("+@all") || c.contains("+psync")) {
                    return CheckResult.pass(name, "ACL GETUSER: user '" + user + "' may run PSYNC (" + commands + ")");
                }
            }
        } else {
            // Before 6.0 there are no ACLs: whoever is logged in may run any command that exists.
            return CheckResult.pass(name, "PSYNC exists and Redis " + v + " has no ACLs");
        }
        return CheckResult.warn(name, "cannot verify without starting a sync: this account may not read the ACL",
                "make sure user '" + user + "' may run PSYNC, REPLCONF and PING on the source");
    }

    private static boolean isNull(RespValue v) {
        return v instanceof RespValue.Array a && a.items() == null || v instanceof RespValue.Bulk b && b.bytes() == null;
    }

    /** The "commands" field of an ACL GETUSER reply, or null. */
    private static String aclCommands(RespValue reply) {
        if (!(reply instanceof RespValue.Array a) || a.items() == null) {
            return null;
        }
        List<RespValue> items = a.items();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            if ("commands".equals(items.get(i).asText())) {
                return items.get(i + 1).asText();
            }
        }
        return null;
    }

    static CheckResult version(String name, Side source, Side target) {
        return version(name, source.version(), target.version());
    }

    /**
     * Whether the target reads every value the source's snapshot holds. Redis (RDB 12+) and Valkey (RDB 80+) share
     * the formats up to RDB 11 only: past it, a type of one is unknown to the other whatever their versions.
     */
    static CheckResult version(String name, ServerInfo.Version s, ServerInfo.Version t) {
        boolean otherFamily = s.valkey() != t.valkey() && s.rdbVersion() > SHARED_RDB_VERSION;
        if (t.rdbVersion() >= s.rdbVersion() && !otherFamily) {
            return CheckResult.pass(name, "target " + t + " reads everything source " + s + " writes");
        }
        if (otherFamily) {
            return CheckResult.warn(name, "source " + s + " writes its own format (RDB " + s.rdbVersion() + "), whose"
                            + " newer types (hashes with field expiries) target " + t + " does not read: such values are"
                            + " rewritten as commands (slower, same data)",
                    "nothing to do if that is expected; a target of the source's kind and version takes them raw");
        }
        return CheckResult.warn(name, "target " + t + " is older than source " + s + " (RDB " + t.rdbVersion() + " < "
                        + s.rdbVersion() + "): values in encodings it does not know are rewritten as commands (slower, same data)",
                "nothing to do if that is expected; use a target of version " + s.major() + "." + s.minor() + " or later for raw RESTORE");
    }

    static CheckResult backlog(String name, Side source) {
        long size = parseBytes(source.config("repl-backlog-size"));
        if (size >= RECOMMENDED_BACKLOG) {
            return CheckResult.pass(name, "repl-backlog-size " + bytes(size));
        }
        return CheckResult.warn(name, "repl-backlog-size " + bytes(size) + ": Ferry can resume after a restart or network cut only while"
                        + " the writes made meanwhile fit in it, otherwise it copies everything again",
                "CONFIG SET repl-backlog-size 256mb on the source (at least " + bytes(RECOMMENDED_BACKLOG) + ")");
    }

    static CheckResult replTimeout(String name, Side source) {
        long timeout = Long.parseLong(source.config("repl-timeout").trim());
        if (timeout >= RECOMMENDED_REPL_TIMEOUT) {
            return CheckResult.pass(name, "repl-timeout " + timeout + " s");
        }
        return CheckResult.warn(name, "repl-timeout " + timeout + " s: a slow snapshot transfer may be cut off",
                "CONFIG SET repl-timeout " + RECOMMENDED_REPL_TIMEOUT + " on the source");
    }

    /**
     * The source buffers the writes made while it produces the snapshot for Ferry; a replica whose buffer
     * passes the hard limit (or the soft one for too long) is cut off, and the sync starts over.
     */
    static CheckResult outputBuffer(String name, Side source) {
        String[] words = source.config("client-output-buffer-limit").trim().split("\\s+");
        for (int i = 0; i + 3 < words.length; i += 4) {
            String cls = words[i];
            if (cls.equals("slave") || cls.equals("replica")) {
                long hard = parseBytes(words[i + 1]);
                long soft = parseBytes(words[i + 2]);
                String current = cls + " " + bytes(hard) + " " + bytes(soft) + " " + words[i + 3];
                if (hard == 0 || hard >= RECOMMENDED_BUFFER_HARD) {
                    return CheckResult.pass(name, "client-output-buffer-limit " + current);
                }
                return CheckResult.warn(name, "client-output-buffer-limit " + current
                                + ": writes made during the snapshot may overflow it and restart the sync",
                        "CONFIG SET client-output-buffer-limit \"" + cls + " 512mb 128mb 60\" on the source");
            }
        }
        return CheckResult.warn(name, "no replica class in client-output-buffer-limit '" + String.join(" ", words) + "'",
                "set client-output-buffer-limit \"replica 512mb 128mb 60\" on the source");
    }

    static CheckResult oldSourceLimits(String name, Side source) {
        ServerInfo.Version v = source.version();
        if (v.atLeast(6, 0)) {
            return CheckResult.pass(name, "no known replication limits in source " + v);
        }
        return CheckResult.warn(name, "source " + v + " replicates INCRBYFLOAT as a plain SET: a key with a TTL that gets"
                        + " INCRBYFLOAT loses its TTL on the target (as on any replica)",
                "avoid INCRBYFLOAT on keys with a TTL, or upgrade the source to 6.0 or later");
    }

    /** Parses "1mb", "256MB", "1gb", "1048576" into bytes, the way redis.conf reads memory sizes. */
    static long parseBytes(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"},
                {"m", "1000000"}, {"k", "1000"}, {"b", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        try {
            return Long.parseLong(t.trim()) * unit;
        } catch (NumberFormatException e) {
            throw new FerryException("cannot read the size '" + text + "'");
        }
    }

    /** A byte count for people: "64 MB", "1.5 GB", "512 B". */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return (v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[i];
    }
}
