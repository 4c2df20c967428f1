package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizeConverterTest {

    private final SizeConverter sizes = new SizeConverter();

    @Test
    void sizesAreReadInEverySpellingAsBinaryMultiples() {
        assertThat(sizes.convert("67108864")).isEqualTo(64L << 20);
        assertThat(sizes.convert("64m")).isEqualTo(64L << 20);
        assertThat(sizes.convert("64MB")).isEqualTo(64L << 20);
        assertThat(sizes.convert("64MiB")).isEqualTo(64L << 20);
        assertThat(sizes.convert("512k")).isEqualTo(512L << 10);
        assertThat(sizes.convert("2GiB")).isEqualTo(2L << 30);
        assertThat(sizes.convert("1 t")).isEqualTo(1L << 40);
    }

    @Test
    void whatIsNotASizeIsRefusedWithWhatWasExpected() {
        assertThatThrownBy(() -> sizes.convert("lots")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("64MiB");
        assertThatThrownBy(() -> sizes.convert("64x")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("unknown unit");
        assertThatThrownBy(() -> sizes.convert("-5m")).isInstanceOf(CommandLine.TypeConversionException.class);
        assertThatThrownBy(() -> sizes.convert("99999999999t")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("too large");
    }
}
