package dev.ferry.server;

import dev.ferry.FerryException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --config} file of {@code ferry server}: YAML with a list {@code tasks}, one entry per task, each a
 * {@code name} and the options of {@code ferry sync} ({@link TaskDefinition}). Read with SnakeYAML's safe
 * constructor (plain maps, lists and scalars only). Stateless.
 */
public final class ConfigFile {

    private ConfigFile() {
    }

    /** The tasks the file defines. @throws FerryException a file that cannot be read or a task that is refused */
    public static List<TaskDefinition> read(Path file) {
        Object root;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new FerryException("--config: no file " + file);
        } catch (IOException e) {
            throw new FerryException("--config: cannot read " + file + " (" + e.getMessage() + ")");
        } catch (YAMLException e) {
            throw new FerryException("--config " + file + ": not valid YAML (" + e.getMessage().lines().findFirst().orElse("")
                    + ")");
        }
        if (!(root instanceof Map<?, ?> map) || !(map.get("tasks") instanceof List<?> entries)) {
            throw new FerryException("--config " + file + ": expected a list 'tasks:' of entries with a name, a source"
                    + " and a target");
        }
        List<TaskDefinition> tasks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> m)) {
                throw new FerryException("--config " + file + ": each entry of 'tasks' is a map (name: ..., source: ...)");
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> options = (Map<String, ?>) m;
            TaskDefinition d;
            try {
                d = TaskDefinition.of(options);
            } catch (FerryException e) {
                throw new FerryException("--config " + file + ": " + e.getMessage());
            }
            if (!names.add(d.name())) {
                throw new FerryException("--config " + file + ": two tasks are named '" + d.name() + "'");
            }
            tasks.add(d);
        }
        return tasks;
    }
}
