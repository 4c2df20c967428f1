package dev.ferry.task;

import dev.ferry.resp.RedisConnectionException;
import dev.ferry.resp.RedisEndpoint;
import dev.ferry.resp.Sentinel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a Sentinel-managed target's master is: asked at the start of every attempt ({@link #locate}), and between
 * writes ({@link #movedTo}) so that an attempt writing to a demoted master ends quickly. The master keeps the
 * credentials, database and TLS of the target as given. Not thread-safe: the task's own thread, one call at a time.
 */
final class TargetLocator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TargetLocator.class);

    private final SentinelLocator sentinels;
    private final String describe;

    TargetLocator(Sentinel sentinel) {
        this.sentinels = new SentinelLocator(sentinel);
        this.describe = sentinel.describe();
    }

    /**
     * The master the Sentinels name now; a change from {@code current} is logged once, here.
     *
     * @throws RedisConnectionException (retriable) when no Sentinel answers
     * @throws dev.ferry.FerryException when the Sentinels know no master of that name, or refuse Ferry
     */
    RedisEndpoint locate(RedisEndpoint current) {
        RedisEndpoint now = sentinels.locate(current);
        if (!now.equals(current)) {
            log.info("the target {} is {} now, not {}: writing there, from the checkpoint it holds (writes the old"
                    + " master acknowledged but had not passed on to it are applied again, once)", describe,
                    now.address(), current.address());
        }
        return now;
    }

    /** The master the Sentinels name, if not {@code current}; null when it is, or when no Sentinel answers now. */
    RedisEndpoint movedTo(RedisEndpoint current) {
        try {
            RedisEndpoint now = sentinels.locate(current);
            return now.equals(current) ? null : now;
        } catch (RedisConnectionException e) {
            log.debug("could not ask where the target {} is: {}", describe, e.getMessage());
            return null;
        }
    }

    /** "master 'mymaster' of the Sentinels 10.0.0.1:26379". */
    String describe() {
        return describe;
    }

    @Override
    public void close() {
        sentinels.close();
    }
}
