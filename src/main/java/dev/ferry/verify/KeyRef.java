package dev.ferry.verify;

import dev.ferry.resp.KeyText;
import java.util.Arrays;

/** A key in a database: the unit verify compares and reports. Equality by content; ordered by db, then bytes. */
public record KeyRef(int db, byte[] key) implements Comparable<KeyRef> {

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRef k && db == k.db && Arrays.equals(key, k.key);
    }

    @Override
    public int hashCode() {
        return 31 * db + Arrays.hashCode(key);
    }

    @Override
    public int compareTo(KeyRef o) {
        int c = Integer.compare(db, o.db);
        return c != 0 ? c : Arrays.compareUnsigned(key, o.key);
    }

    @Override
    public String toString() {
        return "db " + db + " " + KeyText.quoted(key);
    }
}
