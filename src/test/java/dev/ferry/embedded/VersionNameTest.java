package dev.ferry.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionNameTest {

    @Test
    void redisVersionIsTheBareNumber() {
        VersionName name = VersionName.parse("8.0.6");

        assertThat(name.valkey()).isFalse();
        assertThat(name.server()).isEqualTo("redis-server");
        assertThat(name.version().atLeast(7, 4)).isTrue();
        assertThat(name.version().rdbVersion()).isEqualTo(12);
        assertThat(name).hasToString("8.0.6");
    }

    @Test
    void valkeyVersionCarriesItsPrefixAndCountsAsValkey() {
        VersionName name = VersionName.parse("valkey-9.1.2");

        assertThat(name.valkey()).isTrue();
        assertThat(name.number()).isEqualTo("9.1.2");
        assertThat(name.server()).isEqualTo("valkey-server");
        assertThat(name.version().valkey()).isTrue();
        assertThat(name.version().major()).isEqualTo(9);
        assertThat(name).hasToString("valkey-9.1.2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"7.0", "valkey-9", "Valkey-9.1.2", "redis-7.0.15", "7.0.15 ", ""})
    void anythingElseIsRefusedSayingWhatIsExpected(String text) {
        assertThatThrownBy(() -> VersionName.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(expected: major.minor.patch, like 7.0.15, or valkey-major.minor.patch, like valkey-9.1.2)");
    }
}
