package dev.ferry;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Ferry's own version, as the build wrote it into {@code dev/ferry/version.properties}. Thread-safe. */
public final class FerryVersion {

    private static final String VERSION = read();

    private FerryVersion() {
    }

    /** The project version this build was made from, e.g. {@code 0.1.0-SNAPSHOT}; "unknown" without the resource. */
    public static String current() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = FerryVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            // An unfiltered copy (an IDE that skips Maven's filtering) still holds the placeholder.
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
