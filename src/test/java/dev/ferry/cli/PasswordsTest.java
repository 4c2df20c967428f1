package dev.ferry.cli;

import dev.ferry.resp.Sentinel;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordsTest {

    private static final CommandLine CLI = new CommandLine(new SyncCommand());
    private static final Sentinel SENTINEL = Sentinel.parse("redis-sentinel://10.0.0.1:26379/mymaster");

    @Test
    void theSentinelsPasswordComesFromTheFileBeforeTheEnvironment() throws Exception {
        Path file = Files.createTempFile("ferry-sentinel", ".txt");
        Files.writeString(file, "from-file\nsecond line\n");
        assertThat(passwordOf(Passwords.sentinels(CLI, SENTINEL, file, "from-env"))).isEqualTo("from-file");
        assertThat(passwordOf(Passwords.sentinels(CLI, SENTINEL, null, "from-env"))).isEqualTo("from-env");
        assertThat(passwordOf(Passwords.sentinels(CLI, SENTINEL, null, null))).isNull();
        assertThat(passwordOf(Passwords.sentinels(CLI, SENTINEL, null, ""))).isNull();
    }

    @Test
    void anEmptyOrMissingSentinelPasswordFileIsAUsageErrorNamingTheOption() throws Exception {
        Path empty = Files.createTempFile("ferry-sentinel", ".txt");
        assertThatThrownBy(() -> Passwords.sentinels(CLI, SENTINEL, empty, null))
                .isInstanceOf(ParameterException.class).hasMessageContaining("--sentinel-password-file").hasMessageContaining("empty");
        assertThatThrownBy(() -> Passwords.sentinels(CLI, SENTINEL, empty.resolveSibling("no-such-ferry-file"), null))
                .isInstanceOf(ParameterException.class).hasMessageContaining("--sentinel-password-file: cannot read");
    }

    private static String passwordOf(Sentinel sentinel) {
        return sentinel.sentinels().get(0).password();
    }
}
