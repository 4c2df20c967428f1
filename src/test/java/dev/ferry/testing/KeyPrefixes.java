package dev.ferry.testing;

import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Gives the keys of a database a prefix of their own, so that databases merged into one never clash. Blocking. */
public final class KeyPrefixes {

    private KeyPrefixes() {
    }

    /** Renames every key of database {@code db} to start with {@code prefix}, keeping values and expiry times. */
    public static void prefixKeys(RedisConnection conn, int db, String prefix) {
        conn.callChecked("SELECT", Integer.toString(db));
        List<byte[]> keys = new ArrayList<>();
        String cursor = "0";
        do {
            List<RespValue> reply = ((RespValue.Array) conn.callChecked("SCAN", cursor, "COUNT", "1000")).items();
            cursor = reply.get(0).asText();
            for (RespValue k : ((RespValue.Array) reply.get(1)).items()) {
                keys.add(((RespValue.Bulk) k).bytes());
            }
        } while (!cursor.equals("0"));
        byte[] head = prefix.getBytes(StandardCharsets.US_ASCII);
        for (byte[] key : keys) {
            byte[] renamed = new byte[head.length + key.length];
            System.arraycopy(head, 0, renamed, 0, head.length);
            System.arraycopy(key, 0, renamed, head.length, key.length);
            conn.callChecked("RENAME", key, renamed);
        }
        conn.callChecked("SELECT", "0");
    }
}
