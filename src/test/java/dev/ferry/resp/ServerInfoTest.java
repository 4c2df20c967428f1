package dev.ferry.resp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServerInfoTest {

    @Test
    void versionGivesTheRdbVersionTheServerReads() {
        assertThat(ServerInfo.Version.parse("2.8.19", false).rdbVersion()).isEqualTo(6);
        assertThat(ServerInfo.Version.parse("3.2.13", false).rdbVersion()).isEqualTo(7);
        assertThat(ServerInfo.Version.parse("4.0.14", false).rdbVersion()).isEqualTo(8);
        assertThat(ServerInfo.Version.parse("6.2.7", false).rdbVersion()).isEqualTo(9);
        assertThat(ServerInfo.Version.parse("7.0.15", false).rdbVersion()).isEqualTo(10);
        assertThat(ServerInfo.Version.parse("7.2.6", false).rdbVersion()).isEqualTo(11);
        assertThat(ServerInfo.Version.parse("7.4.1", false).rdbVersion()).isEqualTo(12);
        assertThat(ServerInfo.Version.parse("8.0.0", false).rdbVersion()).isEqualTo(12);
        assertThat(ServerInfo.Version.parse("8.0.1", true).rdbVersion()).isEqualTo(11);
    }

    @Test
    void newerFormatsAndFieldTtlsFollowTheVersionOfEachFamily() {
        assertThat(ServerInfo.Version.parse("8.4.0", false).rdbVersion()).isEqualTo(12);
        assertThat(ServerInfo.Version.parse("8.6.1", false).rdbVersion()).isEqualTo(13);
        assertThat(ServerInfo.Version.parse("8.8.0", false).rdbVersion()).isEqualTo(14);
        assertThat(ServerInfo.Version.parse("8.10.0", false).rdbVersion()).isEqualTo(15);
        assertThat(ServerInfo.Version.parse("9.1.2", true).rdbVersion()).isEqualTo(80);
        assertThat(ServerInfo.Version.parse("9.2.0", true).rdbVersion()).isEqualTo(81);
        assertThat(ServerInfo.Version.parse("7.4.1", false).hashFieldTtls()).isTrue();
        assertThat(ServerInfo.Version.parse("7.2.6", false).hashFieldTtls()).isFalse();
        assertThat(ServerInfo.Version.parse("8.1.1", true).hashFieldTtls()).isFalse();
        assertThat(ServerInfo.Version.parse("9.0.0", true).hashFieldTtls()).isTrue();
    }

    @Test
    void keyspaceAndValkeyVersionAreRead() {
        ServerInfo info = ServerInfo.parse("# Server\r\nredis_version:7.2.4\r\nvalkey_version:8.0.1\r\n"
                + "# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\ndb5:keys=10,expires=0,avg_ttl=0\r\n");
        assertThat(info.version().valkey()).isTrue();
        assertThat(info.version().atLeast(7, 2)).isTrue();
        assertThat(info.keysPerDb()).containsEntry(0, 3L).containsEntry(5, 10L).hasSize(2);
    }
}
