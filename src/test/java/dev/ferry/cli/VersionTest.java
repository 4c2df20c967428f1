package dev.ferry.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class VersionTest {

    @Test
    void ferryVersionPrintsTheVersionThePomBuilds() throws Exception {
        Matcher m = Pattern.compile("<artifactId>ferry</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(m.find()).isTrue();
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "--version");
        assertThat(code).isZero();
        assertThat(out.toString().strip()).isEqualTo("ferry " + m.group(1));
    }
}
