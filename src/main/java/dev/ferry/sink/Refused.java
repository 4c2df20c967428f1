package dev.ferry.sink;

import dev.ferry.resp.ErrorKind;

import java.util.List;

/**
 * Commands a cluster node answered with an error that means "not run, send again" ({@link ErrorKind#isTransient()}:
 * {@code MOVED}, {@code ASK}, {@code TRYAGAIN}, {@code CLUSTERDOWN}, {@code LOADING}, …): one command, or a whole
 * {@code MULTI … EXEC} (the server discards a transaction as a whole when one of its commands is redirected, so
 * none of it ran). Immutable.
 *
 * @param commands the command, or the transaction's commands between {@code MULTI} and {@code EXEC}
 * @param transaction whether {@code commands} are to be sent again inside {@code MULTI … EXEC}
 * @param reply the error reply, without its leading '-'
 * @param db the database the connection was in when the command (or the transaction's {@code MULTI}) was sent,
 *     where it must run again (its transaction's own {@code SELECT}s are among its commands); -1 when unknown
 */
record Refused(List<byte[][]> commands, boolean transaction, String reply, int db) {

    ErrorKind kind() {
        return ErrorKind.of(reply);
    }

    /** How many writes this brings back: its commands (a transaction's {@code MULTI}/{@code EXEC} not counted). */
    int size() {
        return commands.size();
    }
}
