package dev.ferry.pipeline;

import dev.ferry.FerryException;
import dev.ferry.rdb.DumpPayload;
import dev.ferry.rdb.RdbType;
import dev.ferry.resp.RespReader;
import dev.ferry.resp.RespWriter;
import dev.ferry.resp.ServerInfo;
import dev.ferry.resp.SpilledBulk;
import dev.ferry.sink.TargetProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A RESTORE whose payload the link spilled: its version is read from the kept tail, never from the marker. */
class SpilledRestoreTest {

    @TempDir
    Path dir;

    /** {@code RESTORE k 0 <payload of a 100-byte string, RDB 10>}, read with the payload spilled. */
    private byte[][] spilledRestore() throws IOException {
        byte[] raw = new byte[101];
        raw[0] = 100;
        byte[] payload = DumpPayload.encode(RdbType.STRING, raw, 10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new RespWriter(out).command(ascii("RESTORE"), ascii("k"), ascii("0"), payload).flush();
        byte[][] argv = new RespReader(new ByteArrayInputStream(out.toByteArray())).readCommand(new SpilledBulk.Store(dir, 10));
        assertThat(SpilledBulk.of(argv[3])).isNotNull();
        return argv;
    }

    @Test
    void aSpilledPayloadTheTargetReadsIsForwardedAsItIs() throws IOException {
        byte[][] argv = spilledRestore();
        List<byte[][]> written = new ArrayList<>();
        replayer(written, "7.0.15").command(argv, 100);
        assertThat(written).hasSize(1);
        assertThat(written.get(0)[3]).isSameAs(argv[3]);
    }

    @Test
    void aSpilledPayloadThatWouldNeedRelabellingStopsWithTheCommandNamed() throws IOException {
        byte[][] argv = spilledRestore();
        assertThatThrownBy(() -> replayer(new ArrayList<>(), "6.2.7").command(argv, 100))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("RESTORE \"k\" \"0\" <112 bytes>")
                .hasMessageContaining("only up to 1 MiB");
    }

    private static Replayer replayer(List<byte[][]> written, String targetVersion) {
        WriteSink sink = new WriteSink() {
            @Override
            public void write(byte[][] argv, long sourceOffset) {
                written.add(argv);
            }

            @Override
            public void select(int db, long sourceOffset) {
            }

            @Override
            public void advance(long sourceOffset) {
            }

            @Override
            public void flush() {
            }
        };
        TargetProfile target = new TargetProfile(ServerInfo.Version.parse(targetVersion, false), TargetProfile.DEFAULT_PROTO_MAX_BULK_LEN);
        Replayer r = new Replayer(Replayer.discardSnapshot(), sink, Filters.all(), new SyncCounters(),
                ascii("__ferry:hb:x"), null, target);
        r.command(new byte[][] {ascii("SELECT"), ascii("0")}, 1);
        return r;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
