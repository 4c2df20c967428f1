package dev.ferry.testing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrintableTest {

    @Test
    void controlAndHighBytesAreHexEscapedAndQuotesAndBackslashesAreBackslashed() {
        byte[] bytes = {'a', 0, '\r', '\n', (byte) 0xff, '"', '\\', ' ', '~'};

        assertThat(Printable.of(bytes)).isEqualTo("\"a\\x00\\x0d\\x0a\\xff\\\"\\\\ ~\"");
    }

    @Test
    void differentBytesNeverPrintTheSame() {
        assertThat(Printable.of(new byte[] {'\\', 'x', '0', '0'})).isNotEqualTo(Printable.of(new byte[] {0}));
    }

    @Test
    void shortenKeepsShortTextAndNotesTheLengthOfLongText() {
        assertThat(Printable.shorten("abc", 5)).isEqualTo("abc");
        assertThat(Printable.shorten("abcdefgh", 5)).isEqualTo("abcde...(8 chars)");
    }
}
