package dev.ferry.source;

import dev.ferry.resp.ServerInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicationLinkTest {

    @Test
    void ferryAnnouncesTheVersionOfAValkey9SourceAndNothingToOthers() {
        assertThat(ReplicationLink.replicaVersionFor(ServerInfo.Version.parse("9.1.2", true))).isEqualTo("9.1.2");
        assertThat(ReplicationLink.replicaVersionFor(ServerInfo.Version.parse("9.0.0", true))).isEqualTo("9.0.0");
        assertThat(ReplicationLink.replicaVersionFor(ServerInfo.Version.parse("8.1.1", true))).isNull();
        assertThat(ReplicationLink.replicaVersionFor(ServerInfo.Version.parse("8.0.6", false))).isNull();
        assertThat(ReplicationLink.replicaVersionFor(ServerInfo.Version.parse("9.2.0", false))).isNull();
    }

    @Test
    void aNewerValkeyHearsTheNewestVersionWhoseFormatFerryReads() {
        assertThat(ReplicationLink.replicaVersionFor(ServerInfo.Version.parse("9.2.1", true))).isEqualTo("9.2.0");
        assertThat(ReplicationLink.replicaVersionFor(ServerInfo.Version.parse("10.0.0", true))).isEqualTo("9.2.0");
    }

    @Test
    void thePumpsBufferGrowsWhileReadsFillItAndShrinksBackAfterASmallRead() {
        byte[] buf = new byte[16 * 1024];
        buf = ReplicationLink.pumpBuffer(buf, buf.length);
        assertThat(buf).hasSize(64 * 1024);
        buf = ReplicationLink.pumpBuffer(buf, buf.length);
        assertThat(buf).hasSize(128 * 1024);
        assertThat(ReplicationLink.pumpBuffer(buf, buf.length)).isSameAs(buf);
        assertThat(ReplicationLink.pumpBuffer(buf, 50_000)).isSameAs(buf);
        assertThat(ReplicationLink.pumpBuffer(buf, 100)).hasSize(16 * 1024);
    }
}
