package dev.ferry.rdb;

/** Immutable settings of an {@link RdbParser}; build with {@link #builder()}. */
public final class RdbParserOptions {

    /** Default largest piece of a string value handed to {@link ValueVisitor#string}: 1 MiB. */
    public static final int DEFAULT_STRING_CHUNK_SIZE = 1024 * 1024;

    private static final RdbParserOptions DEFAULTS = builder().build();

    private final int stringChunkSize;

    private RdbParserOptions(Builder b) {
        this.stringChunkSize = b.stringChunkSize;
    }

    public static RdbParserOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The largest piece of a plain (not LZF-compressed) string value handed to the visitor at once. */
    public int stringChunkSize() {
        return stringChunkSize;
    }

    /** Builds {@link RdbParserOptions}; not thread-safe. */
    public static final class Builder {
        private int stringChunkSize = DEFAULT_STRING_CHUNK_SIZE;

        private Builder() {
        }

        public Builder stringChunkSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("stringChunkSize: " + bytes + " (expected: > 0)");
            }
            this.stringChunkSize = bytes;
            return this;
        }

        public RdbParserOptions build() {
            return new RdbParserOptions(this);
        }
    }
}
