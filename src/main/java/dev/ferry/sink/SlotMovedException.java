package dev.ferry.sink;

import dev.ferry.FerryException;

/**
 * A cluster target answered {@code MOVED} or {@code ASK}: the slot of a key Ferry wrote now lives on another
 * master (a reshard or a failover while copying). Retriable: the task's next attempt starts over with a fresh
 * slot map. Following the redirection without starting over is later work.
 */
public final class SlotMovedException extends FerryException {

    public SlotMovedException(String command, String reply) {
        super("the target cluster answered " + reply + " to " + command + ": a slot moved to another master"
                + " (a reshard or a failover during the copy); starting over with the new slot map", null, true);
    }
}
