package dev.ferry.pipeline;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeyPatternTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "user:*|user:1|true",
        "user:*|user:|true",
        "user:*|users:1|false",
        "*|anything|true",
        "*|''|true",
        "h?llo|hello|true",
        "h?llo|hllo|false",
        "h[ae]llo|hallo|true",
        "h[ae]llo|hillo|false",
        "h[^e]llo|hallo|true",
        "h[^e]llo|hello|false",
        "h[a-c]llo|hbllo|true",
        "h[a-c]llo|hdllo|false",
        "a\\*b|a*b|true",
        "a\\*b|axb|false",
        "*:tmp:*|user:tmp:3|true",
        "*:tmp:*|user:tmp|false",
        "a*b*c|axxbyyc|true",
        "a*b*c|axxbyy|false",
        "h[llo|hl|true",
        "h[llo|h[llo|false",
    })
    void matchesLikeRedis(String pattern, String key, boolean expected) {
        assertThat(new KeyPattern(pattern).matches(key.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void aFilterTakesIncludesThenExcludes() {
        KeyFilter f = KeyFilter.of(List.of("user:*", "order:*"), List.of("user:tmp:*"));
        assertThat(f.matches(bytes("user:1"))).isTrue();
        assertThat(f.matches(bytes("order:9"))).isTrue();
        assertThat(f.matches(bytes("user:tmp:1"))).isFalse();
        assertThat(f.matches(bytes("other"))).isFalse();
        assertThat(KeyFilter.of(null, List.of("x*")).matches(bytes("y"))).isTrue();
        assertThat(KeyFilter.all().isAll()).isTrue();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
