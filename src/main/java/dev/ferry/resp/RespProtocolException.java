package dev.ferry.resp;

import dev.ferry.FerryException;

/** The peer sent bytes that are not valid RESP. Carries the stream position of the fault. */
public final class RespProtocolException extends FerryException {

    private final long position;

    public RespProtocolException(String message, long position) {
        super(message + " at stream offset " + position);
        this.position = position;
    }

    public long position() {
        return position;
    }
}
