package dev.ferry.sink;

import dev.ferry.resp.RespReader;
import dev.ferry.resp.SpilledBulk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class CommandTest {

    @Test
    void describingAHugeArgumentIsShortAndCostsOnlyWhatItShows() {
        byte[] huge = new byte[64 << 20];
        Arrays.fill(huge, (byte) 0xff);
        byte[][] argv = {ascii("SET"), ascii("big"), huge};
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Command.describe(new byte[][] {ascii("SET"), ascii("warm"), new byte[100]});
        long before = threads.getCurrentThreadAllocatedBytes();
        String text = Command.describe(argv);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(text).isEqualTo("SET \"big\" \"" + "\\xff".repeat(10) + "\"... (67108864 bytes)");
        // Escaping the whole value first, as before, took hundreds of megabytes: a reply thread died of it.
        assertThat(allocated).isLessThan(1 << 20);
    }

    @Test
    void aSpilledArgumentIsShownAsItsSize(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.writeBytes(ascii("*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$100\r\n"));
        in.writeBytes(new byte[100]);
        in.writeBytes(ascii("\r\n"));
        byte[][] argv = new RespReader(new ByteArrayInputStream(in.toByteArray())).readCommand(new SpilledBulk.Store(dir, 10));
        assertThat(Command.describe(argv)).isEqualTo("RPUSH \"l\" <100 bytes>");
    }

    @Test
    void shortArgumentsAreShownWhole() {
        assertThat(Command.describe(new byte[][] {ascii("incr"), ascii("a\"b")})).isEqualTo("INCR \"a\\\"b\"");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
