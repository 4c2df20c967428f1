package dev.ferry.source;

import dev.ferry.FerryException;

/** The source does not let this account replicate: PSYNC/SYNC unknown, renamed or forbidden. Permanent. */
public final class PsyncRefusedException extends FerryException {

    public PsyncRefusedException(String message) {
        super(message);
    }
}
