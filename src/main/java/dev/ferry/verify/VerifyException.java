package dev.ferry.verify;

import dev.ferry.FerryException;

/** Verification could not run to the end: a server refused a read, the topology is unusable, the run was interrupted. */
public final class VerifyException extends FerryException {

    public VerifyException(String message) {
        super(message);
    }

    public VerifyException(String message, Throwable cause) {
        super(message, cause);
    }
}
