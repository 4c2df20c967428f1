package dev.ferry.resp;

import dev.ferry.FerryException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a Redis server is and how to log in: {@code redis://[user:password@]host:port[/db]}, or
 * {@code rediss://…} over TLS. A password alone is written {@code redis://:password@host:port}.
 * {@link #toString()} never shows the password.
 *
 * @param user ACL user name, or null for the default user
 * @param password password, or null when the server needs none
 * @param db database number from the URI path, or -1 when the URI names none
 * @param tls how to speak TLS to the server, or null for plain TCP
 */
public record RedisEndpoint(String host, int port, String user, String password, int db, Tls tls) {

    public static final int DEFAULT_PORT = 6379;

    public RedisEndpoint {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected: a host name or address)");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (db < -1) {
            throw new IllegalArgumentException("db: " + db + " (expected: >= 0)");
        }
    }

    /** A plain-TCP endpoint. */
    public RedisEndpoint(String host, int port, String user, String password, int db) {
        this(host, port, user, password, db, null);
    }

    public static RedisEndpoint of(String host, int port) {
        return new RedisEndpoint(host, port, null, null, -1);
    }

    /** Parses {@code redis://[user:password@]host[:port][/db]}; the scheme may be left out. */
    public static RedisEndpoint parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new FerryException("empty Redis URI (expected: redis://[user:password@]host:port[/db])");
        }
        String rest = uri.trim();
        int scheme = rest.indexOf("://");
        Tls tls = null;
        if (scheme >= 0) {
            String name = rest.substring(0, scheme);
            if (name.equals("rediss")) {
                tls = Tls.DEFAULT;
            } else if (!name.equals("redis")) {
                throw new FerryException("unsupported URI scheme '" + name + "' (expected: redis:// or rediss://)");
            }
            rest = rest.substring(scheme + 3);
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                password = decode(userInfo);
            } else {
                user = decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            }
            if (user != null && user.isEmpty()) {
                user = null;
            }
        }
        int db = -1;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String path = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!path.isEmpty()) {
                try {
                    db = Integer.parseInt(path);
                } catch (NumberFormatException e) {
                    // Whatever follows the host is not echoed: a misplaced password may be in it.
                    throw new FerryException("invalid database number after '/' in the URI (expected: a number, e.g."
                            + " redis://host:6379/3)");
                }
            }
        }
        String host = rest;
        int port = DEFAULT_PORT;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && rest.indexOf(']') < colon) {
            host = rest.substring(0, colon);
            String p = rest.substring(colon + 1);
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new FerryException("invalid port in the URI of " + hostForMessage(host)
                        + " (expected: host:port with a number 1-65535; a password goes before '@': redis://:password@host:port)");
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new FerryException("invalid host in the URI: more than one ':' after the host (expected: host:port, an IPv6"
                    + " address in brackets [::1]:6379, a password before '@': redis://:password@host:port)");
        }
        try {
            return new RedisEndpoint(host, port, user, password, db, tls);
        } catch (IllegalArgumentException e) {
            throw new FerryException("invalid Redis URI: " + e.getMessage());
        }
    }

    /** host:port, for messages. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** This endpoint with {@code newPassword} (null: none). */
    public RedisEndpoint withPassword(String newPassword) {
        return new RedisEndpoint(host, port, user, newPassword, db, tls);
    }

    /** This endpoint over TLS as {@code newTls} says (null: plain TCP). */
    public RedisEndpoint withTls(Tls newTls) {
        return new RedisEndpoint(host, port, user, password, db, newTls);
    }

    public RedisEndpoint withHostPort(String newHost, int newPort) {
        return new RedisEndpoint(newHost, newPort, user, password, db, tls);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(tls != null ? "rediss://" : "redis://");
        if (user != null) {
            sb.append(user);
        }
        if (password != null) {
            sb.append(":***");
        }
        if (user != null || password != null) {
            sb.append('@');
        }
        sb.append(address());
        if (db >= 0) {
            sb.append('/').append(db);
        }
        return sb.toString();
    }

    /** A URI with its password masked, safe to print. */
    public static String redact(String uri) {
        int scheme = uri.indexOf("://");
        int from = scheme < 0 ? 0 : scheme + 3;
        int at = uri.lastIndexOf('@');
        if (at < from) {
            return uri;
        }
        String userInfo = uri.substring(from, at);
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? "" : userInfo.substring(0, colon);
        return uri.substring(0, from) + user + ":***" + uri.substring(at);
    }

    /** Percent-decodes a user name or password; an error never quotes it. */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new FerryException("invalid percent-encoding in the user name or password of the URI"
                    + " (expected: % followed by two hex digits, e.g. %40 for @)");
        }
    }

    /** The host for an error message, or "the server" when it holds ':' (it may be a password typed in the wrong place). */
    private static String hostForMessage(String host) {
        return host.isEmpty() || host.indexOf(':') >= 0 && !host.startsWith("[") ? "the server" : "'" + host + "'";
    }
}
