package dev.ferry.resp;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class ClientNameTest {

    @Test
    void aThreadsTaskAndDefaultRoleNameItsConnectionsAndThoseOfTheThreadsItStartsLater() throws Exception {
        ClientName.set("3f2a", ClientName.ADMIN);
        assertThat(ClientName.of(null)).isEqualTo("ferry:3f2a:admin");
        assertThat(ClientName.of("link")).isEqualTo("ferry:3f2a:link");
        AtomicReference<String> child = new AtomicReference<>();
        Thread t = new Thread(() -> child.set(ClientName.of("writer")));
        t.start();
        t.join();
        assertThat(child.get()).isEqualTo("ferry:3f2a:writer");
        ClientName.set(null, "verify");
        assertThat(ClientName.of(null)).isEqualTo("ferry:verify");
    }

    @Test
    void charactersRedisRefusesInANameAreReplaced() {
        ClientName.set("cluster slots 0-5460", "admin");
        assertThat(ClientName.of("link\n")).isEqualTo("ferry:cluster_slots_0-5460:link_");
    }
}
