package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.resp.RedisEndpoint;

/**
 * The task's source master is no longer the master of its data (a failover promoted another node): the attempt
 * ends and the next one continues on {@link #to()} from the checkpoint, at once (no back-off). Retriable.
 */
final class SourceMovedException extends FerryException {

    private final RedisEndpoint to;

    SourceMovedException(String message, RedisEndpoint to) {
        super(message, null, true);
        this.to = to;
    }

    RedisEndpoint to() {
        return to;
    }
}
