package dev.ferry.resp;

import dev.ferry.FerryException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A master known by name to Redis Sentinels: {@code redis-sentinel://[user:password@]host:port[,host:port…]/<master
 * name>[/db]} (port 26379 by default). The credentials and database are the master's; the Sentinels are asked
 * without any, or with their own password ({@link #withPassword}, never in the URI). {@link #toString()} never shows
 * a password. Immutable and thread-safe; each lookup opens its own connection unless given one.
 */
public final class Sentinel {

    public static final String SCHEME = "redis-sentinel://";
    public static final int DEFAULT_PORT = 26379;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** Where the Sentinels' password comes from, for messages (the command line reads it from there). */
    private static final String PASSWORD_HINT = "set FERRY_SENTINEL_PASSWORD or pass --sentinel-password-file FILE";

    private final List<RedisEndpoint> sentinels;
    private final String masterName;
    private final RedisEndpoint credentials;

    private Sentinel(List<RedisEndpoint> sentinels, String masterName, RedisEndpoint credentials) {
        this.sentinels = List.copyOf(sentinels);
        this.masterName = masterName;
        this.credentials = credentials;
    }

    /** Whether {@code uri} names a master through Sentinels. */
    public static boolean isSentinelUri(String uri) {
        return uri != null && uri.trim().startsWith(SCHEME);
    }

    /** Parses a {@code redis-sentinel://} URI; a malformed one is refused without echoing what may be a password. */
    public static Sentinel parse(String uri) {
        String rest = uri.trim().substring(SCHEME.length());
        String userInfo = "";
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            userInfo = rest.substring(0, at + 1);
            rest = rest.substring(at + 1);
        }
        int slash = rest.indexOf('/');
        if (slash < 0 || slash == rest.length() - 1) {
            throw new FerryException("a redis-sentinel:// URI names the master after the Sentinels (expected:"
                    + " redis-sentinel://host:26379[,host:26379…]/<master name>[/db])");
        }
        String hosts = rest.substring(0, slash);
        String path = rest.substring(slash + 1);
        String name = path;
        String db = "";
        int dbSlash = path.indexOf('/');
        if (dbSlash >= 0) {
            name = path.substring(0, dbSlash);
            db = path.substring(dbSlash);
        }
        List<RedisEndpoint> list = new ArrayList<>();
        for (String host : hosts.split(",")) {
            if (host.isBlank()) {
                throw new FerryException("an empty Sentinel address in a redis-sentinel:// URI (expected: host:port,host:port)");
            }
            RedisEndpoint e = RedisEndpoint.parse("redis://" + host.trim());
            list.add(host.trim().lastIndexOf(':') > host.trim().lastIndexOf(']') ? e : e.withHostPort(e.host(), DEFAULT_PORT));
        }
        // The master's credentials and database, on a placeholder address until the Sentinels name it.
        RedisEndpoint credentials = RedisEndpoint.parse("redis://" + userInfo + "sentinel-master" + db);
        return new Sentinel(list, name, credentials);
    }

    /** The same Sentinels asked with {@code password} (their {@code requirepass}); the master's credentials stay. */
    public Sentinel withPassword(String password) {
        List<RedisEndpoint> withPassword = new ArrayList<>();
        for (RedisEndpoint s : sentinels) {
            withPassword.add(s.withPassword(password));
        }
        return new Sentinel(withPassword, masterName, credentials);
    }

    public String masterName() {
        return masterName;
    }

    public List<RedisEndpoint> sentinels() {
        return sentinels;
    }

    /**
     * The master the Sentinels name now, with the URI's credentials and database.
     *
     * @throws RedisConnectionException (retriable) when no Sentinel answers
     * @throws FerryException when the Sentinels know no master of that name
     */
    public RedisEndpoint master() {
        RuntimeException last = null;
        for (RedisEndpoint sentinel : sentinels) {
            RedisConnection conn;
            try {
                conn = open(sentinel);
            } catch (RedisConnectionException e) {
                last = e;
                continue;
            }
            try (conn) {
                return masterAsked(conn, credentials);
            } catch (RedisConnectionException e) {
                last = e;
            }
        }
        throw new RedisConnectionException("no Sentinel of " + describe() + " answers"
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /**
     * A connection to one of the Sentinels, logged in with their password when there is one.
     *
     * @throws RedisConnectionException (retriable) it does not answer
     * @throws FerryException it refuses the password (the message names where the password comes from, not it)
     */
    private static RedisConnection open(RedisEndpoint sentinel) {
        try {
            return RedisConnection.open(sentinel, TIMEOUT, TIMEOUT);
        } catch (RedisReplyException e) {
            throw new FerryException("the Sentinel " + sentinel.address() + " refused the password given for the"
                    + " Sentinels (" + PASSWORD_HINT + " with the one of their requirepass): " + e.reply(), e);
        }
    }

    /** The master {@code sentinel} names now, as {@code like} (credentials, database, TLS) at that address. */
    public RedisEndpoint masterAsked(RedisConnection sentinel, RedisEndpoint like) {
        RespValue reply = sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
        if (reply instanceof RespValue.Error e) {
            String hint = e.code().equals("NOAUTH") ? " (the Sentinels require a password: " + PASSWORD_HINT + ")" : "";
            throw new RedisReplyException("the Sentinel " + sentinel.endpoint().address() + " refused SENTINEL"
                    + " GET-MASTER-ADDR-BY-NAME: " + e.message() + hint, e);
        }
        if (!(reply instanceof RespValue.Array a) || a.items() == null || a.items().size() < 2) {
            throw new FerryException("the Sentinel " + sentinel.endpoint().address() + " knows no master named '"
                    + masterName + "' (check the name after the Sentinels in the redis-sentinel:// URI)");
        }
        String host = a.items().get(0).asText();
        int port = (int) Long.parseLong(a.items().get(1).asText());
        return like.withHostPort(host, port);
    }

    /** "master 'mymaster' of the Sentinels 10.0.0.1:26379, 10.0.0.2:26379". */
    public String describe() {
        StringBuilder sb = new StringBuilder("master '").append(masterName).append("' of the Sentinels ");
        for (int i = 0; i < sentinels.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(sentinels.get(i).address());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
