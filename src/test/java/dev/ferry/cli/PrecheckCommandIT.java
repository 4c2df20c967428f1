package dev.ferry.cli;

import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.ClusterHarness;
import dev.ferry.testing.Servers;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ferry precheck} against real servers: each failure it must catch, with a clear line and a fix. */
class PrecheckCommandIT {

    private record Result(int exitCode, String out, String err) {
        /** The table row of check {@code name}. */
        String row(String name) {
            return out.lines().filter(l -> l.matches("\\S+\\s+" + name + "\\s.*")).findFirst()
                    .orElseThrow(() -> new AssertionError("no row " + name + " in:\n" + out));
        }

        /** The fix printed under the row of {@code name}. */
        String fix(String name) {
            String[] lines = out.split("\n");
            for (int i = 0; i + 1 < lines.length; i++) {
                if (lines[i].equals(row(name))) {
                    return lines[i + 1].trim();
                }
            }
            throw new AssertionError("no fix for " + name);
        }
    }

    private static Result precheck(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "precheck";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Result(code, out.toString(), err.toString());
    }

    private static String uri(RedisServer server) {
        return "redis://" + server.endpoint().address();
    }

    @Test
    void aHealthyPairPassesWithExitCodeZeroAndEveryCheckHasARow() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            src.callChecked("SET", "k", "v");
            tgt.callChecked("SET", "__ferry:checkpoint", "x");
            Result r = precheck("--source", uri(source), "--target", uri(target));
            assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
            assertThat(r.row("source-connection")).startsWith("pass").contains("Redis 7.0.15");
            assertThat(r.row("source-psync")).startsWith("pass").contains("ACL DRYRUN");
            assertThat(r.row("target-empty")).startsWith("pass");
            assertThat(r.row("target-eviction")).startsWith("pass");
            assertThat(r.row("big-keys")).startsWith("pass").contains("sampled 1 of 1 keys");
            assertThat(r.row("source-backlog")).startsWith("WARN").contains("1 MB");
            assertThat(r.row("target-cluster-slots")).startsWith("skip");
            assertThat(r.row("same-server")).startsWith("pass");
            assertThat(r.row("target-writable")).startsWith("pass");
            assertThat(r.row("databases")).startsWith("pass");
            assertThat(r.out()).contains("precheck passed with");
        }
    }

    @Test
    void aWrongPasswordFailsTheConnectionCheckWithoutShowingThePassword() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--requirepass", "right-secret").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start()) {
            Result r = precheck("--source", "redis://:wrong-secret@" + source.endpoint().address(), "--target", uri(target));
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.row("source-connection")).startsWith("FAIL").contains("authentication").contains(":" + source.port());
            assertThat(r.fix("source-connection")).startsWith("fix: check the credentials in --source");
            assertThat(r.row("source-psync")).startsWith("skip").contains("needs a connection to the source");
            assertThat(r.out() + r.err()).doesNotContain("wrong-secret").doesNotContain("right-secret");
        }
    }

    @Test
    void anAclUserWithTheRightPasswordPassesAndOneDeniedPsyncFails() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").arg("--requirepass", "tpass").start();
             RedisConnection src = source.connect()) {
            src.callChecked("ACL", "SETUSER", "syncer", "on", ">spass", "~*", "+@all");
            src.callChecked("ACL", "SETUSER", "reader", "on", ">rpass", "~*", "+@all", "-psync");
            String target1 = "redis://:tpass@" + target.endpoint().address();

            Result ok = precheck("--source", "redis://syncer:spass@" + source.endpoint().address(), "--target", target1);
            assertThat(ok.row("source-connection")).startsWith("pass").contains("authenticated as syncer");
            assertThat(ok.row("target-connection")).startsWith("pass").contains("authenticated");
            assertThat(ok.row("source-psync")).startsWith("pass");
            assertThat(ok.exitCode()).as(ok.out()).isZero();

            Result denied = precheck("--source", "redis://reader:rpass@" + source.endpoint().address(), "--target", target1);
            assertThat(denied.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(denied.row("source-psync")).startsWith("FAIL").contains("'reader' may not run PSYNC");
            assertThat(denied.fix("source-psync")).contains("ACL SETUSER reader +psync");
        }
    }

    @Test
    void anUnreachableHostFailsTheConnectionCheck() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (RedisServer source = RedisServer.builder().version("7.0.15").start()) {
            Result r = precheck("--source", uri(source), "--target", "redis://127.0.0.1:" + closedPort);
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.row("target-connection")).startsWith("FAIL").contains("cannot connect to 127.0.0.1:" + closedPort);
            assertThat(r.fix("target-connection")).contains("host and port in --target");
            assertThat(r.row("version")).startsWith("skip");
            assertThat(r.out()).contains("precheck FAILED");
        }
    }

    @Test
    void aTargetHoldingKeysFailsWithExistingCheckAndPassesWithOverwrite() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection tgt = target.connect()) {
            tgt.callChecked("SELECT", "2");
            tgt.callChecked("SET", "old", "v");
            Result r = precheck("--source", uri(source), "--target", uri(target));
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.row("target-empty")).startsWith("FAIL").contains("already holds keys (db2: 1 keys)");
            assertThat(r.fix("target-empty")).contains("--existing overwrite");

            assertThat(precheck("--source", uri(source), "--target", uri(target), "--existing", "overwrite").exitCode()).isZero();
            assertThat(precheck("--source", uri(source), "--target", uri(target), "--dbs", "0").exitCode()).isZero();
            Result skipped = precheck("--source", uri(source), "--target", uri(target), "--skip-checks", "target-empty");
            assertThat(skipped.exitCode()).isZero();
            assertThat(skipped.row("target-empty")).startsWith("skip");
        }
    }

    @Test
    void anEvictingTargetIsAWarningNotAFailure() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").arg("--maxmemory", "100mb")
                     .arg("--maxmemory-policy", "allkeys-lru").start()) {
            Result r = precheck("--source", uri(source), "--target", uri(target));
            assertThat(r.exitCode()).as(r.out()).isZero();
            assertThat(r.row("target-eviction")).startsWith("WARN").contains("allkeys-lru");
            assertThat(r.fix("target-eviction")).contains("noeviction");
            assertThat(r.row("target-memory")).startsWith("pass").contains("maxmemory 100 MB");
        }
    }

    @Test
    void anOlderSourceAndTargetGetWarnings() {
        try (RedisServer source = RedisServer.builder().version("6.0.5").start();
             RedisServer target = RedisServer.builder().version("2.8.19").start()) {
            Result r = precheck("--source", uri(source), "--target", uri(target));
            assertThat(r.row("version")).startsWith("WARN").contains("rewritten as commands");
            assertThat(r.row("source-psync")).startsWith("pass");
            assertThat(r.row("modules")).startsWith("pass");
            assertThat(r.exitCode()).as(r.out()).isZero();
        }
    }

    @Test
    void severalSourceDatabasesIntoAClusterNeedAMapping() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             ClusterHarness target = ClusterHarness.start(3);
             RedisConnection src = source.connect()) {
            src.callChecked("SET", "a", "1");
            src.callChecked("SELECT", "3");
            src.callChecked("SET", "b", "2");
            Result r = precheck("--source", uri(source), "--target", target.uri());
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.row("db-mapping")).startsWith("FAIL").contains("database(s) 0,3").contains("database 0 only");
            assertThat(r.fix("db-mapping")).contains("--db-map");
            assertThat(r.row("target-cluster-nodes")).startsWith("pass").contains("all 3 nodes");
            assertThat(r.row("target-cluster-slots")).startsWith("pass");

            Result mapped = precheck("--source", uri(source), "--target", target.uri(), "--dbs", "3", "--db-map", "3:0");
            assertThat(mapped.exitCode()).as(mapped.out()).isZero();
            assertThat(mapped.row("db-mapping")).startsWith("pass");
        }
    }

    @Test
    void aMappingThatMergesDatabasesOfAStandaloneTargetIsAWarning() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start()) {
            Result merged = precheck("--source", uri(source), "--target", uri(target), "--dbs", "0,1,2", "--db-map", "1:0,2:0");
            assertThat(merged.exitCode()).as(merged.out()).isZero();
            assertThat(merged.row("db-mapping")).startsWith("WARN").contains("databases 0,1,2 land in target database 0")
                    .contains("the later write wins").contains("FLUSHDB");
            Result apart = precheck("--source", uri(source), "--target", uri(target), "--dbs", "3", "--db-map", "3:5");
            assertThat(apart.row("db-mapping")).startsWith("pass");
            Result missing = precheck("--source", uri(source), "--target", uri(target), "--db-map", "3:99");
            assertThat(missing.row("databases")).startsWith("FAIL").contains("no database 99");
        }
    }

    @Test
    void aClusterTargetWithUncoveredSlotsFails() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             ClusterHarness target = ClusterHarness.start(2, 100, 199)) {
            Result r = precheck("--source", uri(source), "--target", target.uri());
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.row("target-cluster-slots")).startsWith("FAIL").contains("100 of 16384 slots").contains("100-199");
            assertThat(r.fix("target-cluster-slots")).contains("redis-cli --cluster fix");
        }
    }

    @Test
    void oneServerUnderTwoNamesOrAReplicaInTheSourcesChainFailsSameServer() {
        try (Servers servers = new Servers()) {
            RedisServer source = servers.start("7.0.15");
            RedisServer replica = servers.startReplicaOf(source, "--replica-read-only", "no");
            RedisServer second = servers.startReplicaOf(replica, "--replica-read-only", "no");
            String[][] refused = {
                    {uri(source), uri(source), "are one server (run_id "},
                    {"redis://localhost:" + source.port(), "redis://127.0.0.1:" + source.port(), "are one server"},
                    {uri(source), uri(replica), "the target 127.0.0.1:" + replica.port() + " is a replica in the replication chain"},
                    {uri(source), uri(second), "is a replica in the replication chain"},
                    {uri(second), uri(source), "the source 127.0.0.1:" + second.port() + " is a replica in the replication chain"}};
            for (String[] c : refused) {
                Result r = precheck("--source", c[0], "--target", c[1], "--existing", "overwrite");
                assertThat(r.exitCode()).as(r.out()).isEqualTo(Main.EXIT_FAILURE);
                assertThat(r.row("same-server")).as(c[0] + " -> " + c[1]).startsWith("FAIL").contains(c[2]);
            }
            assertThat(precheck("--source", uri(source), "--target", uri(second)).fix("same-server")).contains("REPLICAOF NO ONE");
        }
    }

    @Test
    void aReplicaAsSourceAndFerryCopiesBothWaysAreNotMistakenForOneServer() {
        try (Servers servers = new Servers()) {
            RedisServer a = servers.start("7.0.15");
            RedisServer readReplica = servers.startReplicaOf(a);
            RedisServer b = servers.start("7.0.15");
            RedisServer c = servers.start("7.0.15");
            try (RedisConnection conn = a.connect()) {
                conn.callChecked("SET", "k", "v");
            }
            // B becomes a Ferry copy of A (not a Redis replica): the cascade B -> C and the reverse B -> A are legitimate.
            StringWriter err = new StringWriter();
            int copied = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                    "sync", "--quiet", "--mode", "full", "--source", uri(a), "--target", uri(b));
            assertThat(copied).as(err.toString()).isZero();
            String[][] fine = {{uri(readReplica), uri(c)}, {uri(b), uri(c)}, {uri(b), uri(a)}, {uri(a), uri(b)}};
            for (String[] pair : fine) {
                Result r = precheck("--source", pair[0], "--target", pair[1], "--existing", "overwrite");
                assertThat(r.row("same-server")).as(pair[0] + " -> " + pair[1]).startsWith("pass");
                assertThat(r.row("target-writable")).startsWith("pass");
            }
        }
    }

    @Test
    void anOldReplicaWithoutReplicationIdsIsFoundByItsMasterAddress() {
        try (Servers servers = new Servers()) {
            RedisServer source = servers.start("2.8.19");
            RedisServer replica = servers.startReplicaOf(source, "--slave-read-only", "no");
            Result r = precheck("--source", uri(source), "--target", uri(replica), "--existing", "overwrite");
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.row("same-server")).startsWith("FAIL").contains("its master is 127.0.0.1:" + source.port());
            assertThat(r.row("target-writable")).startsWith("WARN").contains("writable replica");
            Result twice = precheck("--source", "redis://localhost:" + source.port(), "--target", uri(source), "--existing", "overwrite");
            assertThat(twice.row("same-server")).startsWith("FAIL").contains("are one server");
        }
    }

    @Test
    void aReadOnlyReplicaAsTargetFailsBeforeAnySnapshot() {
        try (Servers servers = new Servers()) {
            RedisServer master = servers.start("7.0.15");
            RedisServer readOnly = servers.startReplicaOf(master);
            RedisServer source = servers.start("7.0.15");
            Result r = precheck("--source", uri(source), "--target", uri(readOnly), "--existing", "overwrite");
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.row("target-writable")).startsWith("FAIL")
                    .contains("read-only replica of 127.0.0.1:" + master.port()).contains("replica-read-only yes");
            assertThat(r.fix("target-writable")).contains("REPLICAOF NO ONE");
            assertThat(r.row("same-server")).startsWith("pass");
        }
    }

    @Test
    void databasesThatDoNotExistFail() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").arg("--databases", "4").start()) {
            Result r = precheck("--source", uri(source), "--target", uri(target), "--dbs", "99");
            assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.row("databases")).startsWith("FAIL").contains("the source 127.0.0.1:" + source.port()
                    + " has no database 99 (it has 16: 0-15)");
            Result onTarget = precheck("--source", uri(source), "--target", uri(target), "--dbs", "2,5");
            assertThat(onTarget.row("databases")).startsWith("FAIL").contains("the target").contains("has no database 5 (it has 4: 0-3)");
            Result ok = precheck("--source", uri(source), "--target", uri(target), "--dbs", "3");
            assertThat(ok.row("databases")).startsWith("pass");
            assertThat(ok.exitCode()).as(ok.out()).isZero();
        }
    }

    @Test
    void theDatabaseOfTheSourceUriLimitsTheChecksAndAConflictIsAUsageError() {
        try (RedisServer source = RedisServer.builder().version("7.0.15").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection tgt = target.connect()) {
            tgt.callChecked("SET", "in-db0", "v");
            // Only database 3 is copied: keys in the target's database 0 do not matter.
            Result r = precheck("--source", uri(source) + "/3", "--target", uri(target));
            assertThat(r.row("target-empty")).startsWith("pass").contains("database(s) 3");
            assertThat(r.exitCode()).as(r.out()).isZero();

            Result conflict = precheck("--source", uri(source) + "/3", "--target", uri(target), "--dbs", "0");
            assertThat(conflict.exitCode()).isEqualTo(Main.EXIT_USAGE);
            assertThat(conflict.err()).contains("--source names database 3").contains("Try 'ferry precheck --help'.");
            Result badValue = precheck("--source", uri(source), "--target", uri(target), "--existing", "yes");
            assertThat(badValue.exitCode()).isEqualTo(Main.EXIT_USAGE);
            assertThat(badValue.err()).contains("existing: yes").contains("Try 'ferry precheck --help'.");
        }
    }

    @Test
    void anUnknownCheckNameIsAUsageError() {
        Result r = precheck("--source", "redis://127.0.0.1:1", "--target", "redis://127.0.0.1:2", "--skip-checks", "nonsense");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("unknown check 'nonsense'").contains("target-empty");
    }
}
