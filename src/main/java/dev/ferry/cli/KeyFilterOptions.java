package dev.ferry.cli;

import dev.ferry.pipeline.KeyFilter;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code --keys} and {@code --exclude-keys}, shared by {@code sync} and {@code verify} (a picocli mixin). */
final class KeyFilterOptions {

    @Option(names = "--keys", paramLabel = "PATTERN", description = "Only keys matching this glob pattern (as KEYS and"
            + " SCAN MATCH: * ? [a-z] \\\\x); repeat for several. Default: every key.")
    List<String> keys = new ArrayList<>();

    @Option(names = "--exclude-keys", paramLabel = "PATTERN", description = "Leave out keys matching this glob pattern;"
            + " repeat for several.")
    List<String> excludeKeys = new ArrayList<>();

    KeyFilter filter() {
        return KeyFilter.of(keys, excludeKeys);
    }
}
