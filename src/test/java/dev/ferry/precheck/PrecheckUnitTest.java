package dev.ferry.precheck;

import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.ServerInfo;
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
    void aTargetOfTheOtherFamilyDoesNotReadTheSourcesOwnFormatWhateverItsVersion() {
        ServerInfo.Version redis8 = ServerInfo.Version.parse("8.0.6", false);
        ServerInfo.Version valkey9 = ServerInfo.Version.parse("9.1.2", true);
        ServerInfo.Version redis72 = ServerInfo.Version.parse("7.2.6", false);
        assertThat(ReplicationChecks.version("version", redis8, valkey9).status()).isEqualTo(CheckStatus.WARN);
        assertThat(ReplicationChecks.version("version", valkey9, redis8).detail()).contains("own format (RDB 80)");
        assertThat(ReplicationChecks.version("version", redis72, valkey9).status()).isEqualTo(CheckStatus.PASS);
        assertThat(ReplicationChecks.version("version", valkey9, valkey9).status()).isEqualTo(CheckStatus.PASS);
        assertThat(ReplicationChecks.version("version", redis8, redis72).detail()).contains("older than source");
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
