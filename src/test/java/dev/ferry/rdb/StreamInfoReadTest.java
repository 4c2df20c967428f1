package dev.ferry.rdb;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link StreamInfo#read}: a stream's groups read from its raw bytes, before its entries are decoded. */
class StreamInfoReadTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis-5.0", "redis-7.0", "redis-7.2", "redis-8.0", "valkey-8.0"})
    void theMetadataReadFromRawBytesIsWhatDecodingTheEntriesEndsWith(String fixture) throws Exception {
        List<String> fromRaw = new ArrayList<>();
        List<String> fromDecode = new ArrayList<>();
        new RdbParser(new ByteArrayInputStream(Fixtures.rdb(fixture))).parse(entry -> {
            if (entry.type().kind() != RdbType.Kind.STREAM) {
                return;
            }
            byte[] raw = entry.rawValue(Integer.MAX_VALUE);
            fromRaw.add(render(StreamInfo.read(entry.type(), raw)));
            entry.decode(new ValueVisitor() {
                @Override
                public void streamEnd(StreamInfo info) {
                    fromDecode.add(render(info));
                }
            });
        });
        assertThat(fromRaw).hasSize(6).isEqualTo(fromDecode);
        assertThat(String.join("\n", fromRaw)).contains("pending");
    }

    @Test
    void bytesThatAreNotOneWholeStreamValueAreRefused() throws Exception {
        byte[][] raw = new byte[1][];
        RdbType[] type = new RdbType[1];
        new RdbParser(new ByteArrayInputStream(Fixtures.rdb("redis-7.0"))).parse(entry -> {
            if (raw[0] == null && entry.type().kind() == RdbType.Kind.STREAM) {
                type[0] = entry.type();
                raw[0] = entry.rawValue(Integer.MAX_VALUE);
            }
        });
        byte[] longer = Arrays.copyOf(raw[0], raw[0].length + 1);
        assertThatThrownBy(() -> StreamInfo.read(type[0], longer)).isInstanceOf(RdbFormatException.class)
                .hasMessageContaining("ends after " + raw[0].length);
        byte[] shorter = Arrays.copyOf(raw[0], raw[0].length - 1);
        assertThatThrownBy(() -> StreamInfo.read(type[0], shorter)).hasMessageContaining("truncated");
    }

    private static String render(StreamInfo info) {
        StringBuilder sb = new StringBuilder().append(info.length()).append(' ').append(info.lastId()).append(' ')
                .append(info.firstId()).append(' ').append(info.maxDeletedId()).append(' ').append(info.entriesAdded());
        for (StreamInfo.Group g : info.groups()) {
            sb.append(" group ").append(text(g.name())).append(' ').append(g.lastDeliveredId()).append(' ')
                    .append(g.entriesRead());
            for (StreamInfo.PendingEntry p : g.pending()) {
                sb.append(" pending ").append(p.id()).append(' ').append(text(p.consumer())).append(' ')
                        .append(p.deliveryTimeMs()).append(' ').append(p.deliveryCount());
            }
            for (StreamInfo.Consumer c : g.consumers()) {
                sb.append(" consumer ").append(text(c.name())).append(' ').append(c.seenTimeMs()).append(' ')
                        .append(c.activeTimeMs());
            }
        }
        return sb.toString();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
