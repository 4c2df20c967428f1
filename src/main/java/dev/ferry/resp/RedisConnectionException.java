package dev.ferry.resp;

import dev.ferry.FerryException;

/** A server could not be reached, or the connection broke. Retriable: the network may come back. */
public final class RedisConnectionException extends FerryException {

    public RedisConnectionException(String message, Throwable cause) {
        super(message, cause, true);
    }

    /** @param retriable false when trying again cannot help (a certificate the client does not trust, say) */
    public RedisConnectionException(String message, Throwable cause, boolean retriable) {
        super(message, cause, retriable);
    }
}
