package dev.ferry.embedded;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills the redis-server processes still running when the JVM exits, so a crashed test or an
 * interrupted demo leaves no server behind. One hook for all servers, installed on first use.
 */
final class ShutdownReaper {

    private static final Set<RedisServer> RUNNING = ConcurrentHashMap.newKeySet();
    private static volatile boolean installed;

    private ShutdownReaper() {
    }

    static void register(RedisServer server) {
        install();
        RUNNING.add(server);
    }

    static void unregister(RedisServer server) {
        RUNNING.remove(server);
    }

    private static void install() {
        if (installed) {
            return;
        }
        synchronized (ShutdownReaper.class) {
            if (!installed) {
                Runtime.getRuntime().addShutdownHook(new Thread(ShutdownReaper::killAll, "ferry-redis-reaper"));
                installed = true;
            }
        }
    }

    private static void killAll() {
        for (RedisServer server : RUNNING) {
            server.kill();
        }
    }
}
