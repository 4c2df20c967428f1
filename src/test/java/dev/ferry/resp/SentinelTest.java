package dev.ferry.resp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SentinelTest {

    @Test
    void theSentinelsPasswordIsTheirsAloneAndNeverPrinted() {
        Sentinel sentinel = Sentinel.parse("redis-sentinel://:master-pw@10.0.0.1:26380,10.0.0.2/mymaster/2")
                .withPassword("sentinel-pw");
        assertThat(sentinel.sentinels()).extracting(RedisEndpoint::password).containsExactly("sentinel-pw", "sentinel-pw");
        assertThat(sentinel.sentinels()).extracting(RedisEndpoint::address)
                .containsExactly("10.0.0.1:26380", "10.0.0.2:26379");
        assertThat(sentinel.masterName()).isEqualTo("mymaster");
        assertThat(sentinel.toString()).isEqualTo("master 'mymaster' of the Sentinels 10.0.0.1:26380, 10.0.0.2:26379")
                .doesNotContain("pw");
    }

    @Test
    void withoutAPasswordTheSentinelsAreAskedWithNone() {
        Sentinel sentinel = Sentinel.parse("redis-sentinel://:master-pw@10.0.0.1:26380/mymaster");
        assertThat(sentinel.sentinels()).extracting(RedisEndpoint::password).containsOnlyNulls();
    }
}
