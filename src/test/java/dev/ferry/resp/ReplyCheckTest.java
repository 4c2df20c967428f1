package dev.ferry.resp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.EOFException;

import static dev.ferry.resp.RespReaderTest.reader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplyCheckTest {

    /** An EXEC reply: status, integer, bulk, null bulk, nested array, an error at index 5, then more. */
    private static final String EXEC_REPLY = "*7\r\n+OK\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n:1\r\n-NESTED data\r\n"
            + "-OOM command not allowed\r\n-ERR second\r\n";

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 1000})
    void findsTheFirstErrorElementAndConsumesTheWholeReply(int chunk) throws Exception {
        RespReader r = reader(EXEC_REPLY + "+QUEUED\r\n", chunk);
        ReplyCheck check = r.checkReply();
        assertThat(check.failed()).isTrue();
        assertThat(check.index()).isEqualTo(5);
        assertThat(check.error()).isEqualTo("OOM command not allowed");
        assertThat(check.nullArray()).isFalse();
        // The stream stays in step: the next reply reads whole.
        assertThat(r.checkReply()).isEqualTo(ReplyCheck.OK);
        assertThat(r.position()).isEqualTo(EXEC_REPLY.length() + "+QUEUED\r\n".length());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 1000})
    void simpleRepliesAndTopLevelErrors(int chunk) throws Exception {
        RespReader r = reader("+OK\r\n:-7\r\n$3\r\nabc\r\n$-1\r\n-ERR unknown command 'FOO'\r\n*-1\r\n*0\r\n*2\r\n$1\r\nx\r\n:2\r\n", chunk);
        assertThat(r.checkReply()).isEqualTo(ReplyCheck.OK);
        assertThat(r.checkReply()).isEqualTo(ReplyCheck.OK);
        assertThat(r.checkReply()).isEqualTo(ReplyCheck.OK);
        assertThat(r.checkReply()).isEqualTo(ReplyCheck.OK);
        ReplyCheck error = r.checkReply();
        assertThat(error.error()).isEqualTo("ERR unknown command 'FOO'");
        assertThat(error.index()).isEqualTo(-1);
        ReplyCheck aborted = r.checkReply();
        assertThat(aborted.nullArray()).isTrue();
        assertThat(aborted.failed()).isFalse();
        assertThat(r.checkReply()).isEqualTo(ReplyCheck.OK);
        assertThat(r.checkReply()).isEqualTo(ReplyCheck.OK);
    }

    @Test
    void malformedAndTruncatedRepliesFailAsStrictlyAsRead() {
        assertThatThrownBy(() -> reader("?x\r\n", 1).checkReply()).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> reader("$3\r\nabcde", 1).checkReply()).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> reader("$-5\r\n", 1).checkReply()).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> reader("*99999999999\r\n", 1).checkReply()).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> reader(":12a\r\n", 1).checkReply()).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> reader("*3\r\n+OK\r\n", 1).checkReply()).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> reader("+" + "x".repeat(70_000), 100).checkReply()).isInstanceOf(RespProtocolException.class);
    }
}
