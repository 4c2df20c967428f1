package dev.ferry.task;

import dev.ferry.FerryException;

/** The reverse direction of a two-way pair was started before its forward task streams: start it again later. */
public final class PeerNotStreamingException extends FerryException {

    PeerNotStreamingException(String message) {
        super(message);
    }
}
