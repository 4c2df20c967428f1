package dev.ferry.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** A RESP2 reply. Bulk strings keep their raw bytes; text accessors decode them as UTF-8. */
public sealed interface RespValue {

    /** {@code +OK}. */
    record SimpleString(String value) implements RespValue {
        @Override
        public String asText() {
            return value;
        }
    }

    /** {@code -ERR ...}: the reply text without the leading dash. */
    record Error(String message) implements RespValue {
        /** The first word of the message, the error code by Redis convention ({@code ERR}, {@code OOM}, {@code NOAUTH}...). */
        public String code() {
            int space = message.indexOf(' ');
            return space < 0 ? message : message.substring(0, space);
        }

        @Override
        public String asText() {
            return message;
        }
    }

    /** {@code :42}. */
    record Integer(long value) implements RespValue {
        @Override
        public String asText() {
            return Long.toString(value);
        }

        @Override
        public long asLong() {
            return value;
        }
    }

    /** {@code $3\r\nfoo}; {@code bytes} is null for the null bulk string {@code $-1}. */
    record Bulk(byte[] bytes) implements RespValue {
        @Override
        public String asText() {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public long asLong() {
            if (bytes == null) {
                throw new IllegalStateException("null bulk string is not an integer");
            }
            return Long.parseLong(asText());
        }

        @Override
        public String toString() {
            return bytes == null ? "Bulk[null]" : "Bulk[" + asText() + "]";
        }
    }

    /** {@code *2\r\n...}; {@code items} is null for the null array {@code *-1}. */
    record Array(List<RespValue> items) implements RespValue {
        @Override
        public String asText() {
            return String.valueOf(items);
        }
    }

    /** The value as text: the string, the error message, the number, the UTF-8 decoded bulk. */
    String asText();

    /** The value as a number: integer replies, or bulk strings holding a decimal number. */
    default long asLong() {
        throw new IllegalStateException("not an integer reply: " + this);
    }

    default boolean isError() {
        return this instanceof Error;
    }
}
