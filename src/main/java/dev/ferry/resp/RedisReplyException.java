package dev.ferry.resp;

import dev.ferry.FerryException;

/**
 * A server answered a command with an error reply; retriable when its {@link ErrorKind} is transient
 * ({@code LOADING}, {@code BUSY}, {@code TRYAGAIN}, {@code MASTERDOWN}, a redirection...).
 */
public final class RedisReplyException extends FerryException {

    private final String code;
    private final String reply;

    public RedisReplyException(String message, RespValue.Error error) {
        super(message, null, ErrorKind.of(error.code()).isTransient());
        this.code = error.code();
        this.reply = error.message();
    }

    /** The error code, the first word of the reply ({@code ERR}, {@code OOM}, {@code NOAUTH}...). */
    public String code() {
        return code;
    }

    /** The whole error reply. */
    public String reply() {
        return reply;
    }

    public boolean isAuthFailure() {
        return code.equals("NOAUTH") || code.equals("WRONGPASS") || code.equals("NOPERM")
                || reply.startsWith("ERR invalid password") || reply.contains("AUTH <password> called without any password");
    }
}
