package dev.ferry.sink;

import dev.ferry.FerryException;

/**
 * The target cluster changed in a way the writer cannot follow by sending refused commands again: a master
 * failed over to a replica (which may lack writes the old master acknowledged), or the cluster did not settle
 * in time. Retriable: the task's next attempt reads the slot map again and resumes from the checkpoints the
 * target holds, so what a failover lost is applied again, once.
 */
public final class TargetChangedException extends FerryException {

    public TargetChangedException(String message) {
        super(message, null, true);
    }
}
