package dev.ferry.server;

import dev.ferry.FerryException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a task of {@code ferry server} copies: a name and the options of {@code ferry sync}, spelled as its flags
 * without the dashes ({@code source}, {@code target}, {@code mode}, {@code dbs}, ...). Passwords are only named:
 * {@code source-password-env: VAR} or {@code source-password-file: path} (and {@code target-}, {@code sentinel-}),
 * never written, so no stored file and no API response holds one. Immutable.
 */
public record TaskDefinition(String name, Map<String, Object> options) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** user:password@ in a URI. */
    private static final Pattern URI_PASSWORD = Pattern.compile("^[A-Za-z-]+://[^/@]*:[^/@]+@.*");
    private static final List<String> SIDES = List.of("source", "target", "sentinel");

    public TaskDefinition {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new FerryException("task name " + (name == null ? "missing" : "'" + name + "'")
                    + " (expected: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit)");
        }
        options = Map.copyOf(new LinkedHashMap<>(options));
        for (Map.Entry<String, Object> e : options.entrySet()) {
            check(name, e.getKey(), e.getValue());
        }
        for (String side : List.of("source", "target")) {
            if (!(options.get(side) instanceof String)) {
                throw new FerryException("task " + name + ": '" + side + "' missing (expected: a URI such as redis://host:6379)");
            }
        }
    }

    /** A definition from a YAML entry or a JSON body: {@code name} plus options; {@code skipPrecheck} and {@code precheckOnly} are not. */
    public static TaskDefinition of(Map<String, ?> entry) {
        Map<String, Object> options = new LinkedHashMap<>(entry);
        Object name = options.remove("name");
        options.remove("skipPrecheck");
        options.remove("precheckOnly");
        return new TaskDefinition(name instanceof String s ? s : null, options);
    }

    /** The environment variable or file that holds {@code side}'s password, or null. */
    public String passwordEnv(String side) {
        return options.get(side + "-password-env") instanceof String s ? s : null;
    }

    private static void check(String task, String key, Object value) {
        if (key.startsWith("-")) {
            throw new FerryException("task " + task + ": option '" + key + "' (expected its name without dashes, e.g. mode)");
        }
        for (String side : SIDES) {
            if (key.equals(side + "-password") || key.equals("password")) {
                throw new FerryException("task " + task + ": '" + key + "' holds a password inline, which is refused (it"
                        + " would be stored and shown): name it instead with " + side + "-password-env: VARIABLE or "
                        + side + "-password-file: PATH");
            }
        }
        if ((key.equals("source") || key.equals("target")) && value instanceof String uri
                && URI_PASSWORD.matcher(uri).matches()) {
            throw new FerryException("task " + task + ": the " + key + " URI holds a password, which is refused (it"
                    + " would be stored and shown): remove it from the URI and name it with " + key
                    + "-password-env: VARIABLE or " + key + "-password-file: PATH");
        }
        boolean scalar = value instanceof String || value instanceof Number || value instanceof Boolean;
        boolean list = value instanceof List<?> l && l.stream().allMatch(v -> v instanceof String || v instanceof Number);
        if (!scalar && !list) {
            throw new FerryException("task " + task + ": option '" + key + "' has a value of the wrong shape (expected:"
                    + " a string, a number, true/false, or a list of them)");
        }
    }
}
