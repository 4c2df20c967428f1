package dev.ferry.cluster;

import dev.ferry.resp.RedisEndpoint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedirectTest {

    private static final RedisEndpoint SEED = RedisEndpoint.parse("redis://:secret@10.0.0.1:7000");

    @Test
    void movedAndAskNameTheSlotAndTheNodeWithTheSeedsCredentials() {
        Redirect moved = Redirect.parse("MOVED 3999 10.0.0.2:7001", SEED);
        assertThat(moved.moved()).isTrue();
        assertThat(moved.slot()).isEqualTo(3999);
        assertThat(moved.node().address()).isEqualTo("10.0.0.2:7001");
        assertThat(moved.node().password()).isEqualTo("secret");
        Redirect ask = Redirect.parse("ASK 12 10.0.0.3:7002", SEED);
        assertThat(ask.moved()).isFalse();
        assertThat(ask.node().port()).isEqualTo(7002);
    }

    @Test
    void anAddressWithoutHostIsTheSeedsHost() {
        assertThat(Redirect.parse("MOVED 1 :7005", SEED).node().address()).isEqualTo("10.0.0.1:7005");
    }

    @Test
    void otherErrorsAndMalformedRedirectsAreNotRedirects() {
        assertThat(Redirect.parse("ERR unknown command", SEED)).isNull();
        assertThat(Redirect.parse("MOVED x 10.0.0.2:7001", SEED)).isNull();
        assertThat(Redirect.parse("MOVED 12", SEED)).isNull();
        assertThat(Redirect.parse("ASK 12 nohostport", SEED)).isNull();
        assertThat(Redirect.parse(null, SEED)).isNull();
    }
}
