package dev.ferry.embedded;

import dev.ferry.resp.ServerInfo;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server version as the demo and the tests name it: {@code 7.0.15} for Redis, {@code valkey-9.1.2} for
 * Valkey (whose numbers are not Redis's). The name picks the binary ({@code redis-server-7.0.15},
 * {@code valkey-server-9.1.2}) and says what the server supports ({@link #version()}).
 *
 * @param valkey whether the server is Valkey
 * @param number major.minor.patch, "9.1.2"
 */
public record VersionName(boolean valkey, String number) {

    private static final Pattern NAME = Pattern.compile("(valkey-)?([0-9]+\\.[0-9]+\\.[0-9]+)");
    private static final String VALKEY_PREFIX = "valkey-";

    public VersionName {
        if (number == null || !number.matches("[0-9]+\\.[0-9]+\\.[0-9]+")) {
            throw new IllegalArgumentException("number: " + number + " (expected: major.minor.patch, like 7.0.15)");
        }
    }

    /**
     * Reads "7.0.15" or "valkey-9.1.2".
     *
     * @throws IllegalArgumentException anything else
     */
    public static VersionName parse(String name) {
        Matcher m = name == null ? null : NAME.matcher(name);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("version: " + name
                    + " (expected: major.minor.patch, like 7.0.15, or valkey-major.minor.patch, like valkey-9.1.2)");
        }
        return new VersionName(m.group(1) != null, m.group(2));
    }

    /** The executable's usual name: {@code redis-server} or {@code valkey-server}. */
    public String server() {
        return valkey ? "valkey-server" : "redis-server";
    }

    /** The parsed version, to ask what the server supports. */
    public ServerInfo.Version version() {
        return ServerInfo.Version.parse(number, valkey);
    }

    /** "7.0.15" or "valkey-9.1.2": what {@link #parse} reads. */
    @Override
    public String toString() {
        return valkey ? VALKEY_PREFIX + number : number;
    }
}
