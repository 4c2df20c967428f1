package dev.ferry.embedded;

import dev.ferry.FerryException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a {@code redis-server} (or {@code valkey-server}) executable of a given version, named as
 * {@link VersionName} says ("7.0.15", "valkey-9.1.2"). Looks, in order, in:
 * <ol>
 *   <li>the directory named by the system property {@value #BIN_DIR_PROPERTY}, for
 *       {@code redis-server-<version>-<os>-<arch>} or {@code redis-server-<version>} (made executable if needed);</li>
 *   <li>the classpath, for the same names (org.signal:embedded-redis ships {@code redis-server-7.0.15-<os>-<arch>}),
 *       extracted once into a cache directory;</li>
 *   <li>the system's {@code /usr/bin/redis-server}, when its {@code --version} is the one asked for;</li>
 *   <li>when the system property {@value #FETCH_PROPERTY} names a command, what that command puts into the
 *       first directory when run as {@code <command> --cache <cache dir> --into <dir> <version>}: the build
 *       sets it to {@code .ci/debian-servers}, which fetches the versions Debian packages.</li>
 * </ol>
 * Thread-safe; several threads or processes may extract the same binary at once. {@link #find} blocks while a
 * fetch runs (seconds to minutes: a download), one fetch at a time per JVM.
 */
public final class RedisBinaries {

    /** System property naming a directory of {@code redis-server-<version>} files. */
    public static final String BIN_DIR_PROPERTY = "ferry.redis.bin.dir";
    /** System property naming a command that fetches a missing version into {@value #BIN_DIR_PROPERTY}. */
    public static final String FETCH_PROPERTY = "ferry.redis.fetch";
    /** The version the demo runs: the one org.signal:embedded-redis ships. */
    public static final String DEFAULT_VERSION = "7.0.15";
    public static final Path SYSTEM_BINARY = Path.of("/usr/bin/redis-server");

    private static final Pattern VERSION = Pattern.compile("v=([0-9]+\\.[0-9]+\\.[0-9]+)");
    private static final Object EXTRACT_LOCK = new Object();

    private final Path binDir;
    private final ClassLoader classLoader;
    private final Path cacheDir;
    private final Path systemBinary;
    private final Path fetcher;

    /** Without a fetcher: see {@link #RedisBinaries(Path, ClassLoader, Path, Path, Path)}. */
    public RedisBinaries(Path binDir, ClassLoader classLoader, Path cacheDir, Path systemBinary) {
        this(binDir, classLoader, cacheDir, systemBinary, null);
    }

    /**
     * @param binDir directory of versioned binaries, or null to skip
     * @param classLoader where to look for binaries shipped as resources, or null to skip
     * @param cacheDir where classpath binaries are extracted to, and where the fetcher keeps its downloads
     * @param systemBinary an installed redis-server, or null to skip
     * @param fetcher a command that puts a missing version into {@code binDir}, or null to skip
     */
    public RedisBinaries(Path binDir, ClassLoader classLoader, Path cacheDir, Path systemBinary, Path fetcher) {
        this.binDir = binDir;
        this.classLoader = classLoader;
        this.cacheDir = cacheDir;
        this.systemBinary = systemBinary;
        this.fetcher = fetcher;
    }

    /**
     * The standard places: {@value #BIN_DIR_PROPERTY}, this class's classpath, {@code /usr/bin/redis-server},
     * and the fetcher {@value #FETCH_PROPERTY} when set.
     */
    public static RedisBinaries standard() {
        return new RedisBinaries(pathProperty(BIN_DIR_PROPERTY), RedisBinaries.class.getClassLoader(), defaultCacheDir(),
                SYSTEM_BINARY, pathProperty(FETCH_PROPERTY));
    }

    private static Path pathProperty(String name) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    /** The binary the demo runs: see {@link #findDefault()} on {@link #standard()}. */
    public static Path defaultServer() {
        return standard().findDefault();
    }

    /**
     * redis-server {@value #DEFAULT_VERSION} when there is one (normally from the classpath), else the
     * system's redis-server whatever its version: the demo needs a server, not a particular one.
     *
     * @throws FerryException neither found; the message lists every place looked at
     */
    public Path findDefault() {
        try {
            return find(DEFAULT_VERSION);
        } catch (FerryException e) {
            if (systemBinary != null && Files.isExecutable(systemBinary)) {
                return systemBinary;
            }
            throw e;
        }
    }

    /**
     * Finds the server {@code version} names: "7.0.15" (redis-server), "valkey-9.1.2" (valkey-server).
     *
     * @throws IllegalArgumentException not a {@link VersionName}
     * @throws FerryException nothing found, or the fetcher failed; the message lists every place looked at
     */
    public Path find(String version) {
        VersionName wanted = VersionName.parse(version);
        List<String> names = fileNames(wanted);
        List<String> looked = new ArrayList<>();

        if (binDir == null) {
            looked.add("system property " + BIN_DIR_PROPERTY + " (not set)");
        } else {
            Path found = inBinDir(names);
            if (found != null) {
                return found;
            }
            looked.add(String.join(" or ", names) + " in " + binDir + " (system property " + BIN_DIR_PROPERTY + ")");
        }

        if (classLoader != null) {
            for (String name : names) {
                URL resource = classLoader.getResource(name);
                if (resource != null) {
                    return extract(resource, name);
                }
            }
            looked.add("classpath resources " + String.join(" or ", names));
        }

        if (systemBinary != null) {
            if (Files.isExecutable(systemBinary)) {
                String found = versionOf(systemBinary);
                if (found.equals(wanted.toString())) {
                    return systemBinary;
                }
                looked.add(systemBinary + " (it is version " + found + ")");
            } else {
                looked.add(systemBinary + " (not installed)");
            }
        }

        if (fetcher != null && binDir != null) {
            new BinaryFetcher(fetcher, cacheDir, binDir).fetch(wanted);
            Path found = inBinDir(names);
            if (found != null) {
                return found;
            }
            throw new FerryException(fetcher + " ran without error but left no " + String.join(" or ", names) + " in " + binDir);
        }

        String server = wanted.server() + " " + wanted.number();
        throw new FerryException("no " + server + " found; looked at: " + String.join("; ", looked)
                + ". Install " + server + " or set -D" + BIN_DIR_PROPERTY
                + " to a directory holding " + names.get(names.size() - 1));
    }

    private Path inBinDir(List<String> names) {
        for (String name : names) {
            Path candidate = binDir.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return executable(candidate);
            }
        }
        return null;
    }

    /** Runs {@code binary --version} and returns the version it prints as a {@link VersionName} ("7.0.15", "valkey-9.1.2"). */
    public static String versionOf(Path binary) {
        Process process;
        try {
            process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new FerryException("cannot run " + binary + " --version: " + e.getMessage(), e);
        }
        try (InputStream in = process.getInputStream()) {
            String output = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new FerryException(binary + " --version did not exit within 5 s");
            }
            Matcher m = VERSION.matcher(output);
            if (!m.find()) {
                throw new FerryException(binary + " --version printed no version (expected: 'Redis server v=...'): " + output);
            }
            return new VersionName(output.startsWith("Valkey"), m.group(1)).toString();
        } catch (IOException e) {
            throw new FerryException("cannot run " + binary + " --version: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new FerryException("interrupted while running " + binary + " --version", e);
        }
    }

    /** Names to look for, most specific first: {@code redis-server-7.0.15-linux-amd64}, {@code redis-server-7.0.15}. */
    static List<String> fileNames(VersionName version) {
        String plain = version.server() + "-" + version.number();
        String platform = platform();
        return platform == null ? List.of(plain) : List.of(plain + "-" + platform, plain);
    }

    /** This machine as embedded-redis names it ({@code linux-amd64}, {@code darwin-arm64}), or null if unknown. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "darwin" : null;
        String archName = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> null;
        };
        return osName == null || archName == null ? null : osName + "-" + archName;
    }

    private static Path executable(Path file) {
        if (!Files.isExecutable(file) && !file.toFile().setExecutable(true, false)) {
            throw new FerryException(file + " is not executable and cannot be made so (chmod +x it)");
        }
        return file;
    }

    /**
     * Copies a classpath binary to the cache directory unless an identical-sized copy is there. Writes to
     * a temporary file first and renames it into place, so a concurrent extractor or a reader never sees
     * half a file.
     */
    private Path extract(URL resource, String name) {
        synchronized (EXTRACT_LOCK) {
            Path target = cacheDir.resolve(name);
            Path part = null;
            try {
                URLConnection conn = resource.openConnection();
                long size = conn.getContentLengthLong();
                if (Files.isRegularFile(target) && Files.isExecutable(target) && size >= 0 && Files.size(target) == size) {
                    return target;
                }
                Files.createDirectories(cacheDir);
                part = Files.createTempFile(cacheDir, name + ".", ".part");
                try (InputStream in = conn.getInputStream()) {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return target;
            } catch (IOException | UnsupportedOperationException e) {
                throw new FerryException("cannot extract " + name + " from the classpath to " + cacheDir + ": " + e.getMessage(), e);
            } finally {
                if (part != null) {
                    try {
                        Files.deleteIfExists(part);
                    } catch (IOException ignored) {
                        // A leftover .part file in a cache directory is harmless.
                    }
                }
            }
        }
    }

    /** {@code $XDG_CACHE_HOME/ferry} or {@code ~/.cache/ferry}; the temp directory when those are not writable. */
    private static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        Path dir = base.resolve("ferry");
        try {
            Files.createDirectories(dir);
            if (Files.isWritable(dir)) {
                return dir;
            }
        } catch (IOException | SecurityException ignored) {
            // Read-only or missing home: fall back to the temp directory below.
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "ferry-cache-" + System.getProperty("user.name", "user"));
    }
}
