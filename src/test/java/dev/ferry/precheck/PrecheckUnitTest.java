package dev.ferry.precheck;

import dev.ferry.resp.RedisEndpoint;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrecheckUnitTest {

    @Test
    void memorySizesAreReadTheWayRedisConfReadsThem() {
        assertThat(ReplicationChecks.parseBytes("1mb")).isEqualTo(1 << 20);
        assertThat(ReplicationChecks.parseBytes("256MB")).isEqualTo(256L << 20);
        assertThat(ReplicationChecks.parseBytes("1k")).isEqualTo(1000);
        assertThat(ReplicationChecks.parseBytes("1048576")).isEqualTo(1 << 20);
        assertThat(ReplicationChecks.bytes(64L << 20)).isEqualTo("64 MB");
        assertThat(ReplicationChecks.bytes(1536)).isEqualTo("1.5 KB");
        assertThat(ReplicationChecks.bytes(12)).isEqualTo("12 B");
    }

    @Test
    void theTableShowsAFixUnderEveryWarningAndFailureOnly() {
        PrecheckReport report = new PrecheckReport(List.of(
                CheckResult.pass("version", "same"),
                CheckResult.warn("target-eviction", "evicts", "set noeviction"),
                CheckResult.fail("target-empty", "holds keys", "empty it"),
                CheckResult.skip("big-keys", "skipped")));
        String table = TableRenderer.render(report);
        assertThat(table.lines().toList()).containsSubsequence(
                "STATUS CHECK            RESULT",
                "pass   version          same",
                "WARN   target-eviction  evicts",
                "                        fix: set noeviction",
                "FAIL   target-empty     holds keys",
                "                        fix: empty it",
                "skip   big-keys         skipped");
        assertThat(table).endsWith("precheck FAILED: 1 check(s) failed, 1 warning(s)\n");
        assertThat(report.failed()).isTrue();
        assertThat(report.failureSummary()).startsWith("precheck failed: target-empty (holds keys)");
    }

    @Test
    void skippingAnUnknownCheckIsRefusedWithTheKnownNames() {
        PrecheckOptions.Builder b = PrecheckOptions.builder(RedisEndpoint.of("a", 1), RedisEndpoint.of("b", 2));
        assertThatThrownBy(() -> b.skip(Set.of("nope"))).hasMessageStartingWith("skip: unknown check 'nope' (expected one of: source-connection");
        assertThat(b.skip(Set.of("big-keys")).build().skip()).containsExactly("big-keys");
    }
}
