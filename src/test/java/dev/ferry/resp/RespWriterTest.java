package dev.ferry.resp;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RespWriterTest {

    @Test
    void encodesCommandsAsArraysOfBulkStrings() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RespWriter w = new RespWriter(out, 64);
        w.command("SET", "k", 12).flush();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n");
    }

    @Test
    void whatTheWriterEncodesTheReaderDecodesWhateverTheSizes() throws IOException {
        Random random = new Random(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RespWriter w = new RespWriter(out, 64);
        byte[][][] commands = new byte[200][][];
        for (int i = 0; i < commands.length; i++) {
            byte[][] argv = new byte[1 + random.nextInt(5)][];
            for (int j = 0; j < argv.length; j++) {
                argv[j] = new byte[random.nextInt(j == 0 ? 10 : 3000)];
                random.nextBytes(argv[j]);
            }
            commands[i] = argv;
            w.command(argv);
        }
        w.flush();
        assertThat(w.written()).isEqualTo(out.size());
        RespReader r = new RespReader(new ByteArrayInputStream(out.toByteArray()), 100);
        for (byte[][] expected : commands) {
            assertThat(r.readCommand()).isDeepEqualTo(expected);
        }
        assertThat(r.position()).isEqualTo(out.size());
    }
}
