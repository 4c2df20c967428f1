package dev.ferry.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Two-way sync: recognises the checkpoint keys of the task copying the other way, its loop marks. That task
 * is one task (a standalone source) or one task per master of a cluster source, each named {@code <peer>.<8 hex>}
 * ({@link #memberId}); each writes its checkpoint in one of three forms, depending on the target:
 * <ul>
 *   <li>{@code __ferry:cp:<id>}: a standalone target;</li>
 *   <li>{@code __ferry:cp:{<id>}}: the base checkpoint on a cluster target;</li>
 *   <li>{@code __ferry:cp:{<digits>}:<id>}: a slot checkpoint on a cluster target (the digits are a slot's tag).</li>
 * </ul>
 * A key is a mark only when its id is exactly the peer's or one of its members': the checkpoints of other
 * tasks (a cascade writing into the same server) are never taken for marks. Immutable and thread-safe.
 */
public final class PeerMarks {

    private static final byte[] CHECKPOINT = (Filters.CONTROL_PREFIX + "cp:").getBytes(StandardCharsets.US_ASCII);
    private static final int MEMBER_HEX = 8;

    private final String peer;
    private final byte[] peerBytes;

    /** @param peer the id of the task copying the other way (of the whole cluster task, for a cluster source) */
    public PeerMarks(String peer) {
        if (peer.isEmpty()) {
            throw new IllegalArgumentException("peer task id: empty (expected: the id the other task logs)");
        }
        this.peer = peer;
        this.peerBytes = peer.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The id of one member task of the two-way task {@code pair}: {@code <pair>.<8 hex digits of SHA-256 of name>}.
     * The peer recognises it by the prefix {@code <pair>.} followed by exactly eight hex digits.
     */
    public static String memberId(String pair, String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return pair + "." + HexFormat.of().formatHex(d, 0, MEMBER_HEX / 2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String peer() {
        return peer;
    }

    /**
     * The id of the peer's task whose checkpoint {@code key} is (the peer's own, or one of its members'), or null
     * when it is no checkpoint of the peer.
     */
    public String taskOf(byte[] key) {
        if (!startsWith(key, CHECKPOINT, 0)) {
            return null;
        }
        int from = CHECKPOINT.length;
        int to = key.length;
        if (from < to && key[from] == '{') {
            int close = indexOf(key, (byte) '}', from + 1);
            if (close < 0) {
                return null;
            }
            if (close == to - 1) {
                // {<id>}: a base checkpoint on a cluster target.
                from++;
                to = close;
            } else if (close + 1 < to && key[close + 1] == ':' && digits(key, from + 1, close)) {
                // {<slot tag>}:<id>: a slot checkpoint.
                from = close + 2;
            } else {
                return null;
            }
        }
        return isPeerId(key, from, to) ? new String(key, from, to - from, StandardCharsets.UTF_8) : null;
    }

    /** Whether {@code key[from, to)} is the peer's id, or the peer's id, a dot and eight lowercase hex digits. */
    private boolean isPeerId(byte[] key, int from, int to) {
        int length = to - from;
        if (length < peerBytes.length || !startsWith(key, peerBytes, from)) {
            return false;
        }
        if (length == peerBytes.length) {
            return true;
        }
        if (length != peerBytes.length + 1 + MEMBER_HEX || key[from + peerBytes.length] != '.') {
            return false;
        }
        for (int i = from + peerBytes.length + 1; i < to; i++) {
            byte b = key[i];
            if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] key, byte[] prefix, int at) {
        if (key.length - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] key, byte b, int from) {
        for (int i = from; i < key.length; i++) {
            if (key[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean digits(byte[] key, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (key[i] < '0' || key[i] > '9') {
                return false;
            }
        }
        return true;
    }
}
