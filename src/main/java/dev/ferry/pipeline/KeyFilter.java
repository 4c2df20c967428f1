package dev.ferry.pipeline;

import java.util.List;

/**
 * Which keys a sync copies: those matching any {@code include} pattern (all keys when there is none) and
 * no {@code exclude} pattern. Ferry's own keys are left out separately ({@link Filters#isControlKey}).
 */
public record KeyFilter(List<KeyPattern> include, List<KeyPattern> exclude) {

    private static final KeyFilter ALL = new KeyFilter(List.of(), List.of());

    public KeyFilter {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    public static KeyFilter all() {
        return ALL;
    }

    /** From the command line's pattern lists (either may be null or empty). */
    public static KeyFilter of(List<String> include, List<String> exclude) {
        return new KeyFilter(include == null ? List.of() : include.stream().map(KeyPattern::new).toList(),
                exclude == null ? List.of() : exclude.stream().map(KeyPattern::new).toList());
    }

    /** Whether every key passes. */
    public boolean isAll() {
        return include.isEmpty() && exclude.isEmpty();
    }

    /** Called for every key of a snapshot: plain loops, and nothing at all without patterns. */
    public boolean matches(byte[] key) {
        if (!include.isEmpty()) {
            boolean any = false;
            for (KeyPattern p : include) {
                if (p.matches(key)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        for (KeyPattern p : exclude) {
            if (p.matches(key)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return (include.isEmpty() ? "all keys" : "keys " + include) + (exclude.isEmpty() ? "" : " except " + exclude);
    }
}
