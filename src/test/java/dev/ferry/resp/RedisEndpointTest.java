package dev.ferry.resp;

import dev.ferry.FerryException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisEndpointTest {

    @Test
    void userAndPasswordFormIsParsed() {
        RedisEndpoint e = RedisEndpoint.parse("redis://alice:s%40cret@10.0.0.1:6380/3");
        assertThat(e).isEqualTo(new RedisEndpoint("10.0.0.1", 6380, "alice", "s@cret", 3));
    }

    @Test
    void passwordOnlyFormsAreParsed() {
        assertThat(RedisEndpoint.parse("redis://:pw@h:1")).isEqualTo(new RedisEndpoint("h", 1, null, "pw", -1));
        assertThat(RedisEndpoint.parse("redis://pw@h:1")).isEqualTo(new RedisEndpoint("h", 1, null, "pw", -1));
    }

    @Test
    void schemeAndPortMayBeLeftOut() {
        assertThat(RedisEndpoint.parse("localhost")).isEqualTo(RedisEndpoint.of("localhost", 6379));
        assertThat(RedisEndpoint.parse("127.0.0.1:7000")).isEqualTo(RedisEndpoint.of("127.0.0.1", 7000));
    }

    @Test
    void printedFormNeverShowsThePassword() {
        RedisEndpoint e = RedisEndpoint.parse("redis://alice:hunter2@h:1");
        assertThat(e.toString()).isEqualTo("redis://alice:***@h:1").doesNotContain("hunter2");
        assertThat(RedisEndpoint.redact("redis://alice:hunter2@h:1")).doesNotContain("hunter2");
    }

    @Test
    void badUrisGiveClearErrorsWithoutThePassword() {
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://u:hunter2@h:notaport"))
                .isInstanceOf(FerryException.class).hasMessageContaining("invalid port").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> RedisEndpoint.parse("http://h:1")).hasMessageContaining("unsupported URI scheme");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://h:1/x")).hasMessageContaining("invalid database");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://h:99999")).hasMessageContaining("port");
    }

    @Test
    void aBadPercentEscapeInThePasswordIsNamedWithoutQuotingIt() {
        // The form of issue 11 with letters that appear in no message: "Illegal hex characters ... in: zz" is gone.
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://:qj%zzvyk@host:6379"))
                .isInstanceOf(FerryException.class).hasMessageContaining("percent-encoding")
                .hasMessageNotContaining("qj").hasMessageNotContaining("zz").hasMessageNotContaining("vyk");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://alice:s3cret%@host:6379"))
                .isInstanceOf(FerryException.class).hasMessageNotContaining("s3cret");
    }

    @Test
    void aPasswordTypedAfterThePortIsNeverEchoed() {
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://host:6379:s3cret"))
                .isInstanceOf(FerryException.class).hasMessageContaining("port").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://host:s3cret:6379"))
                .isInstanceOf(FerryException.class).hasMessageContaining("host").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://host:6379/s3cret"))
                .isInstanceOf(FerryException.class).hasMessageContaining("database").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://u:s3cret@host:99999"))
                .isInstanceOf(FerryException.class).hasMessageContaining("port").hasMessageNotContaining("s3cret");
    }

    @Test
    void anIpv6AddressInBracketsIsParsed() {
        assertThat(RedisEndpoint.parse("redis://[::1]:7000")).isEqualTo(RedisEndpoint.of("::1", 7000));
        assertThat(RedisEndpoint.parse("[::1]")).isEqualTo(RedisEndpoint.of("::1", 6379));
    }
}
