package dev.ferry.testing;

import java.util.Arrays;

/** A key name as raw bytes, with value equality and unsigned byte-wise order (the order Redis sorts in). */
public record Key(byte[] bytes) implements Comparable<Key> {

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Key o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    public boolean startsWith(byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public String toString() {
        return Printable.of(bytes);
    }
}
