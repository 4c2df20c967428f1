package dev.ferry.resp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorKindTest {

    @Test
    void redirectionsAndPassingStatesAreTransientRefusalsAreNot() {
        assertThat(ErrorKind.of("MOVED 3999 127.0.0.1:7001")).isEqualTo(ErrorKind.MOVED);
        assertThat(ErrorKind.of("-ASK 3999 127.0.0.1:7001").isRedirect()).isTrue();
        for (String transientReply : new String[] {"TRYAGAIN Multiple keys request during rehashing of slot",
            "CLUSTERDOWN The cluster is down", "LOADING Redis is loading the dataset in memory",
            "BUSY Redis is busy running a script", "MASTERDOWN Link with MASTER is down",
            "READONLY You can't write against a read only replica."}) {
            assertThat(ErrorKind.of(transientReply).isTransient()).as(transientReply).isTrue();
        }
        for (String refusal : new String[] {"OOM command not allowed when used memory > 'maxmemory'.",
            "WRONGTYPE Operation against a key holding the wrong kind of value", "ERR syntax error",
            "NOPERM this user has no permissions", "EXECABORT Transaction discarded", ""}) {
            assertThat(ErrorKind.of(refusal).isTransient()).as(refusal).isFalse();
        }
        assertThat(ErrorKind.of("ERR unknown command")).isEqualTo(ErrorKind.OTHER);
        assertThat(ErrorKind.of("MOVEDX 1 a:1")).isEqualTo(ErrorKind.OTHER);
    }
}
