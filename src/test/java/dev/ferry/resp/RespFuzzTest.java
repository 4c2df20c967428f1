package dev.ferry.resp;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seeded mutation loop over valid RESP: flipped, inserted, deleted and truncated bytes. Whatever the
 * input, the reader either reads values or fails with a protocol error or an end of stream; never another
 * exception, never a hang, never a huge allocation. Bounded in count, so it runs in every build.
 */
class RespFuzzTest {

    private static final int MUTATIONS = 5000;

    @Test
    void mutatedStreamsFailOnlyWithProtocolErrorsOrEndOfStream() throws IOException {
        byte[] seed = seedStream();
        Random random = new Random(0xF3EE);
        int protocolErrors = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] input = mutate(seed, random);
            RespReader commands = new RespReader(new ByteArrayInputStream(input), 1 + random.nextInt(64));
            protocolErrors += drain(commands, true);
            RespReader values = new RespReader(new ByteArrayInputStream(input), 1 + random.nextInt(64));
            protocolErrors += drain(values, false);
        }
        // The loop must actually reach the error paths, or it proves nothing.
        assertThat(protocolErrors).isGreaterThan(MUTATIONS / 2);
    }

    /** Reads until the input ends; returns 1 if it ended with a protocol error. */
    private static int drain(RespReader reader, boolean asCommands) throws IOException {
        for (int n = 0; n < 10_000; n++) {
            try {
                if (asCommands) {
                    reader.readCommand();
                } else {
                    reader.read();
                }
            } catch (RespProtocolException e) {
                assertThat(e.getMessage()).contains("offset");
                return 1;
            } catch (java.io.EOFException e) {
                return 0;
            }
        }
        throw new AssertionError("reader did not reach the end of a finite input");
    }

    private static byte[] seedStream() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RespWriter w = new RespWriter(out, 128);
        w.command("SELECT", "0");
        w.command("SET", "key", "value", "PXAT", "4102444800000");
        w.command("MULTI");
        w.command("INCRBYFLOAT", "f", "1.5");
        w.command(new byte[][] {"RPUSH".getBytes(), new byte[] {0, '\r', '\n', (byte) 0xff}, new byte[300]});
        w.command("EXEC");
        w.command("REPLCONF", "GETACK", "*");
        w.flush();
        out.write("+OK\r\n-ERR x\r\n:12\r\n$-1\r\n*-1\r\n*2\r\n:1\r\n$2\r\nab\r\n".getBytes());
        return out.toByteArray();
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(5)) {
                case 0 -> b[at] = (byte) random.nextInt(256);
                case 1 -> b[at] = "*$:+-\r\n0123456789-".getBytes()[random.nextInt(18)];
                case 2 -> b = java.util.Arrays.copyOf(b, at);
                case 3 -> {
                    byte[] grown = new byte[b.length + 1];
                    System.arraycopy(b, 0, grown, 0, at);
                    grown[at] = (byte) random.nextInt(256);
                    System.arraycopy(b, at, grown, at + 1, b.length - at);
                    b = grown;
                }
                default -> {
                    byte[] shrunk = new byte[b.length - 1];
                    System.arraycopy(b, 0, shrunk, 0, at);
                    System.arraycopy(b, at + 1, shrunk, at, b.length - at - 1);
                    b = shrunk;
                }
            }
            if (b.length == 0) {
                b = new byte[] {'*'};
            }
        }
        return b;
    }
}
