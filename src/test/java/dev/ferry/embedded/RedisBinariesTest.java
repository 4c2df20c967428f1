package dev.ferry.embedded;

import dev.ferry.FerryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisBinariesTest {

    @TempDir
    Path dir;

    private final ClassLoader emptyClasspath = new URLClassLoader(new URL[0], null);

    @Test
    void nothingFoundListsEveryPlaceLookedAt() throws IOException {
        Path binDir = Files.createDirectory(dir.resolve("bin"));
        Path system = dir.resolve("usr-bin-redis-server");
        RedisBinaries binaries = new RedisBinaries(binDir, emptyClasspath, dir.resolve("cache"), system);

        assertThatThrownBy(() -> binaries.find("9.9.9"))
                .isInstanceOf(FerryException.class)
                .hasMessageStartingWith("no redis-server 9.9.9 found; looked at: ")
                .hasMessageContaining("redis-server-9.9.9 in " + binDir + " (system property ferry.redis.bin.dir)")
                .hasMessageContaining("classpath resources ")
                .hasMessageContaining(system + " (not installed)")
                .hasMessageContaining("set -Dferry.redis.bin.dir to a directory holding redis-server-9.9.9");
    }

    @Test
    void unsetBinDirPropertyIsNamedInTheMessage() {
        RedisBinaries binaries = new RedisBinaries(null, null, dir, null);

        assertThatThrownBy(() -> binaries.find("9.9.9"))
                .hasMessage("no redis-server 9.9.9 found; looked at: system property ferry.redis.bin.dir (not set)."
                        + " Install redis-server 9.9.9 or set -Dferry.redis.bin.dir to a directory holding redis-server-9.9.9");
    }

    @Test
    void systemBinaryOfAnotherVersionIsSkippedAndItsVersionReported() throws IOException {
        Path fake = script("fake-redis-server", "echo 'Redis server v=1.2.3 sha=00000000:0 malloc=libc bits=64'");
        RedisBinaries binaries = new RedisBinaries(null, null, dir, fake);

        assertThatThrownBy(() -> binaries.find("9.9.9")).hasMessageContaining(fake + " (it is version 1.2.3)");
        assertThat(binaries.find("1.2.3")).isEqualTo(fake);
    }

    @Test
    void defaultServerFallsBackToTheSystemBinaryOfAnyVersion() throws IOException {
        Path fake = script("fake-redis-server", "echo 'Redis server v=1.2.3 sha=00000000:0 malloc=libc bits=64'");
        RedisBinaries binaries = new RedisBinaries(null, emptyClasspath, dir.resolve("cache"), fake);

        assertThat(binaries.findDefault()).isEqualTo(fake);
    }

    @Test
    void defaultServerWithNothingInstalledSaysWhereItLooked() {
        RedisBinaries binaries = new RedisBinaries(null, emptyClasspath, dir.resolve("cache"), dir.resolve("none"));

        assertThatThrownBy(binaries::findDefault)
                .isInstanceOf(FerryException.class)
                .hasMessageStartingWith("no redis-server " + RedisBinaries.DEFAULT_VERSION + " found; looked at: ")
                .hasMessageContaining(dir.resolve("none") + " (not installed)");
    }

    @Test
    void binaryInTheBinDirIsFoundAndMadeExecutable() throws IOException {
        Path file = Files.writeString(dir.resolve("redis-server-9.9.9"), "#!/bin/sh\n");
        RedisBinaries binaries = new RedisBinaries(dir, null, dir.resolve("cache"), null);

        Path found = binaries.find("9.9.9");

        assertThat(found).isEqualTo(file);
        assertThat(Files.isExecutable(found)).isTrue();
    }

    @Test
    void malformedVersionIsRefused() {
        RedisBinaries binaries = new RedisBinaries(null, null, dir, null);

        assertThatThrownBy(() -> binaries.find("7.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("version: 7.0 (expected: major.minor.patch, like 7.0.15, or valkey-major.minor.patch, like valkey-9.1.2)");
    }

    @Test
    void valkeyVersionIsLookedForAsValkeyServer() throws IOException {
        Files.writeString(dir.resolve("redis-server-9.9.9"), "#!/bin/sh\n");
        Path valkey = Files.writeString(dir.resolve("valkey-server-9.9.9"), "#!/bin/sh\n");
        RedisBinaries binaries = new RedisBinaries(dir, null, dir.resolve("cache"), null);

        assertThat(binaries.find("valkey-9.9.9")).isEqualTo(valkey);
        assertThatThrownBy(() -> new RedisBinaries(null, null, dir, null).find("valkey-9.9.9"))
                .hasMessageStartingWith("no valkey-server 9.9.9 found; looked at: ");
    }

    @Test
    void versionOfAValkeyBinaryIsNamedAsValkey() throws IOException {
        Path fake = script("fake-valkey-server", "echo 'Valkey server v=9.1.2 sha=00000000:0 malloc=jemalloc-5.3.1 bits=64'");
        RedisBinaries binaries = new RedisBinaries(null, null, dir, fake);

        assertThat(RedisBinaries.versionOf(fake)).isEqualTo("valkey-9.1.2");
        assertThat(binaries.find("valkey-9.1.2")).isEqualTo(fake);
        assertThatThrownBy(() -> binaries.find("9.1.2")).hasMessageContaining(fake + " (it is version valkey-9.1.2)");
    }

    @Test
    void missingVersionIsFetchedIntoTheBinDirByTheFetcher() throws IOException {
        Path binDir = Files.createDirectory(dir.resolve("bin"));
        Path args = dir.resolve("args");
        Path fetcher = script("fetch", "echo \"$@\" > " + args + "\n"
                + "printf '#!/bin/sh\\necho Valkey server v=9.9.9\\n' > \"$4/valkey-server-9.9.9\"");
        RedisBinaries binaries = new RedisBinaries(binDir, emptyClasspath, dir.resolve("cache"), null, fetcher);

        Path found = binaries.find("valkey-9.9.9");

        assertThat(found).isEqualTo(binDir.resolve("valkey-server-9.9.9"));
        assertThat(Files.readString(args).trim()).isEqualTo("--cache " + dir.resolve("cache") + " --into " + binDir + " valkey-9.9.9");
        assertThat(RedisBinaries.versionOf(found)).isEqualTo("valkey-9.9.9");
    }

    @Test
    void fetcherIsNotRunWhenTheVersionIsThere() throws IOException {
        Path present = Files.writeString(dir.resolve("redis-server-9.9.9"), "#!/bin/sh\n");
        Path fetcher = script("fetch", "touch " + dir.resolve("fetched"));
        RedisBinaries binaries = new RedisBinaries(dir, null, dir.resolve("cache"), null, fetcher);

        assertThat(binaries.find("9.9.9")).isEqualTo(present);
        assertThat(dir.resolve("fetched")).doesNotExist();
    }

    @Test
    void failedFetchQuotesTheFetchersLastLines() throws IOException {
        Path binDir = Files.createDirectory(dir.resolve("bin"));
        Path fetcher = script("fetch", "echo 'fetching...'\necho 'ferry: error: cannot read the Debian package index' >&2\nexit 1");
        RedisBinaries binaries = new RedisBinaries(binDir, null, dir.resolve("cache"), null, fetcher);

        assertThatThrownBy(() -> binaries.find("valkey-9.9.9"))
                .isInstanceOf(FerryException.class)
                .hasMessage("no valkey-server 9.9.9 in " + binDir + ", and " + fetcher + " could not fetch it (exit 1):\n"
                        + "  fetching...\n  ferry: error: cannot read the Debian package index");
    }

    @Test
    void fetcherThatLeavesNothingIsAnError() throws IOException {
        Path binDir = Files.createDirectory(dir.resolve("bin"));
        Path fetcher = script("fetch", "exit 0");
        RedisBinaries binaries = new RedisBinaries(binDir, null, dir.resolve("cache"), null, fetcher);

        assertThatThrownBy(() -> binaries.find("8.8.8"))
                .isInstanceOf(FerryException.class)
                .hasMessageStartingWith(fetcher + " ran without error but left no redis-server-8.8.8");
    }

    private Path script(String name, String body) throws IOException {
        Path file = Files.writeString(dir.resolve(name), "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
