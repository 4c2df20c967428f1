package dev.ferry.checkpoint;

import dev.ferry.FerryException;

/**
 * Another live process holds the task's lease and renews it: this one must not run the task now. A lone
 * {@code ferry sync} stops on it; a worker of a group waits and tries again, since the holder may be handing the
 * task over or may die.
 */
public final class LeaseHeldException extends FerryException {

    public LeaseHeldException(String message) {
        super(message);
    }
}
