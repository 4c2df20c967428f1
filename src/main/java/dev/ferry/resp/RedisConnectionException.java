package dev.ferry.resp;

import dev.ferry.FerryException;

/** A server could not be reached, or the connection broke. Retriable: the network may come back. */
public final class RedisConnectionException extends FerryException {

    public RedisConnectionException(String message, Throwable cause) {
        super(message, cause, true);
    }
}
