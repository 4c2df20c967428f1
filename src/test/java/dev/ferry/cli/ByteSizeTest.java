package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeTest {

    @Test
    void plainNumbersAreBytes() {
        assertThat(ByteSize.parse("0")).isZero();
        assertThat(ByteSize.parse("33554432")).isEqualTo(33_554_432L);
        assertThat(ByteSize.parse("512B")).isEqualTo(512L);
    }

    @Test
    void everyUnitIsAPowerOf1024InAnyCase() {
        assertThat(ByteSize.parse("64MiB")).isEqualTo(64L << 20);
        assertThat(ByteSize.parse("64mb")).isEqualTo(64L << 20);
        assertThat(ByteSize.parse("2GB")).isEqualTo(2L << 30);
        assertThat(ByteSize.parse("2 GiB")).isEqualTo(2L << 30);
        assertThat(ByteSize.parse("16KiB")).isEqualTo(16L << 10);
        assertThat(ByteSize.parse("16kb")).isEqualTo(16L << 10);
        assertThat(ByteSize.parse("1TiB")).isEqualTo(1L << 40);
    }

    @Test
    void aFractionIsRoundedDownToWholeBytes() {
        assertThat(ByteSize.parse("1.5GiB")).isEqualTo(3L << 29);
        assertThat(ByteSize.parse("0.5KB")).isEqualTo(512L);
        assertThat(ByteSize.parse("1.0001KB")).isEqualTo(1024L);
    }

    @Test
    void badSizesAreRefusedWithTheUnitsThatWork() {
        for (String bad : new String[] {"", "MiB", "-5", "64 MiBs", "1e9", "64m", "2g", "ten", "1,5GiB"}) {
            assertThatThrownBy(() -> ByteSize.parse(bad)).as(bad)
                    .isInstanceOf(TypeConversionException.class).hasMessageContaining("not a size").hasMessageContaining("MiB");
        }
        assertThatThrownBy(() -> ByteSize.parse("9000000TiB")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("too large");
    }

    @Test
    void theIntFormRefusesTwoGibibytes() {
        assertThat(new ByteSize.Int().convert("64MiB")).isEqualTo(64 << 20);
        assertThat(new ByteSize.Int().convert("2147483647")).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> new ByteSize.Int().convert("2GiB")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("less than 2GiB");
    }
}
