package dev.ferry.rdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds small RDB files and encoded blobs (ziplist, listpack, intset, zipmap) byte by byte, for the
 * encodings the golden fixtures cannot contain. Mirrors the writer side of {@code rdb.c}.
 */
final class RdbBuilder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final int version;

    private RdbBuilder(String magic, int version) {
        this.version = version;
        bytes(magic.getBytes(StandardCharsets.US_ASCII));
    }

    static RdbBuilder redis(int version) {
        return new RdbBuilder(String.format("REDIS%04d", version), version);
    }

    static RdbBuilder valkey(int version) {
        return new RdbBuilder(String.format("VALKEY%03d", version), version);
    }

    /** A bare value (no header), as a DUMP payload or {@link RdbEntry#rawValue} holds it: read with {@link #body()}. */
    static RdbBuilder value() {
        return new RdbBuilder("", 0);
    }

    RdbBuilder u8(int... values) {
        for (int v : values) {
            out.write(v);
        }
        return this;
    }

    RdbBuilder bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    RdbBuilder le(long v, int width) {
        for (int i = 0; i < width; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    RdbBuilder be(long v, int width) {
        for (int i = width - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    /** An RDB length in its shortest form ({@code rdbSaveLen}). */
    RdbBuilder length(long len) {
        if (len >= 0 && len < 1 << 6) {
            return u8((int) len);
        } else if (len >= 0 && len < 1 << 14) {
            return u8(0x40 | (int) (len >> 8), (int) (len & 0xff));
        } else if (len >= 0 && len <= 0xffffffffL) {
            return u8(0x80).be(len, 4);
        }
        return u8(0x81).be(len, 8);
    }

    RdbBuilder string(String s) {
        return string(s.getBytes(StandardCharsets.UTF_8));
    }

    RdbBuilder string(byte[] b) {
        return length(b.length).bytes(b);
    }

    /** An integer-encoded string: width 1, 2 or 4 bytes. */
    RdbBuilder intString(long v, int width) {
        int enc = width == 1 ? 0 : width == 2 ? 1 : 2;
        return u8(0xc0 | enc).le(v, width);
    }

    RdbBuilder lzfString(byte[] compressed, int uncompressedLength) {
        return u8(0xc3).length(compressed.length).length(uncompressedLength).bytes(compressed);
    }

    RdbBuilder op(RdbOpcode op) {
        return u8(op.code());
    }

    RdbBuilder type(RdbType type) {
        return u8(type.code());
    }

    RdbBuilder aux(String key, String value) {
        return op(RdbOpcode.AUX).string(key).string(value);
    }

    RdbBuilder selectDb(int db) {
        return op(RdbOpcode.SELECTDB).length(db);
    }

    /** What was written so far, without EOF. */
    byte[] body() {
        return out.toByteArray();
    }

    /** Ends with the EOF opcode and, from version 5, the CRC-64 trailer. */
    byte[] build() {
        op(RdbOpcode.EOF);
        byte[] body = out.toByteArray();
        if (version < 5) {
            return body;
        }
        return withTrailer(body, Crc64.of(body));
    }

    /** Ends with the EOF opcode and a zero checksum (checksums disabled). */
    byte[] buildWithoutChecksum() {
        op(RdbOpcode.EOF);
        return withTrailer(out.toByteArray(), 0);
    }

    private static byte[] withTrailer(byte[] body, long crc) {
        byte[] all = java.util.Arrays.copyOf(body, body.length + 8);
        for (int i = 0; i < 8; i++) {
            all[body.length + i] = (byte) (crc >>> (8 * i));
        }
        return all;
    }

    /** A ziplist of byte[] strings and Long integers, each integer in the smallest encoding. */
    static byte[] ziplist(Object... entries) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int prevlen = 0;
        int lastOffset = 10;
        for (Object e : entries) {
            lastOffset = 10 + body.size();
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            if (prevlen < 254) {
                entry.write(prevlen);
            } else {
                entry.write(254);
                writeLe(entry, prevlen, 4);
            }
            if (e instanceof byte[] s) {
                if (s.length < 64) {
                    entry.write(s.length);
                } else if (s.length < 16384) {
                    entry.write(0x40 | (s.length >> 8));
                    entry.write(s.length & 0xff);
                } else {
                    entry.write(0x80);
                    for (int i = 3; i >= 0; i--) {
                        entry.write(s.length >>> (8 * i));
                    }
                }
                entry.writeBytes(s);
            } else {
                long v = (Long) e;
                if (v >= 0 && v <= 12) {
                    entry.write(0xf1 + (int) v);
                } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
                    entry.write(0xfe);
                    writeLe(entry, v, 1);
                } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                    entry.write(0xc0);
                    writeLe(entry, v, 2);
                } else if (v >= -(1 << 23) && v < 1 << 23) {
                    entry.write(0xf0);
                    writeLe(entry, v, 3);
                } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                    entry.write(0xd0);
                    writeLe(entry, v, 4);
                } else {
                    entry.write(0xe0);
                    writeLe(entry, v, 8);
                }
            }
            prevlen = entry.size();
            body.writeBytes(entry.toByteArray());
        }
        ByteArrayOutputStream zl = new ByteArrayOutputStream();
        writeLe(zl, 10 + body.size() + 1, 4);
        writeLe(zl, lastOffset, 4);
        writeLe(zl, entries.length, 2);
        zl.writeBytes(body.toByteArray());
        zl.write(0xff);
        return zl.toByteArray();
    }

    /** A listpack of byte[] strings and Long integers, each integer in the smallest encoding. */
    static byte[] listpack(Object... entries) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Object e : entries) {
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            if (e instanceof byte[] s) {
                if (s.length < 64) {
                    entry.write(0x80 | s.length);
                } else if (s.length < 4096) {
                    entry.write(0xe0 | (s.length >> 8));
                    entry.write(s.length & 0xff);
                } else {
                    entry.write(0xf0);
                    writeLe(entry, s.length, 4);
                }
                entry.writeBytes(s);
            } else {
                long v = (Long) e;
                if (v >= 0 && v <= 127) {
                    entry.write((int) v);
                } else if (v >= -4096 && v <= 4095) {
                    long u = v & 0x1fff;
                    entry.write(0xc0 | (int) (u >> 8));
                    entry.write((int) (u & 0xff));
                } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                    entry.write(0xf1);
                    writeLe(entry, v, 2);
                } else if (v >= -(1 << 23) && v < 1 << 23) {
                    entry.write(0xf2);
                    writeLe(entry, v, 3);
                } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                    entry.write(0xf3);
                    writeLe(entry, v, 4);
                } else {
                    entry.write(0xf4);
                    writeLe(entry, v, 8);
                }
            }
            int size = entry.size();
            body.writeBytes(entry.toByteArray());
            body.writeBytes(backlen(size));
        }
        ByteArrayOutputStream lp = new ByteArrayOutputStream();
        writeLe(lp, 6 + body.size() + 1, 4);
        writeLe(lp, entries.length, 2);
        lp.writeBytes(body.toByteArray());
        lp.write(0xff);
        return lp.toByteArray();
    }

    private static byte[] backlen(int l) {
        if (l <= 127) {
            return new byte[] {(byte) l};
        } else if (l < 16383) {
            return new byte[] {(byte) (l >> 7), (byte) ((l & 127) | 128)};
        }
        return new byte[] {(byte) (l >> 14), (byte) (((l >> 7) & 127) | 128), (byte) ((l & 127) | 128)};
    }

    static byte[] intset(int width, long... values) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        writeLe(b, width, 4);
        writeLe(b, values.length, 4);
        for (long v : values) {
            writeLe(b, v, width);
        }
        return b.toByteArray();
    }

    /** A zipmap of field/value pairs; each value gets {@code free} unused trailing bytes. */
    static byte[] zipmap(int free, byte[]... fieldsAndValues) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(fieldsAndValues.length / 2);
        for (int i = 0; i < fieldsAndValues.length; i++) {
            byte[] s = fieldsAndValues[i];
            if (s.length < 254) {
                b.write(s.length);
            } else {
                b.write(254);
                writeLe(b, s.length, 4);
            }
            boolean value = i % 2 == 1;
            if (value) {
                b.write(free);
            }
            b.writeBytes(s);
            if (value) {
                b.writeBytes(new byte[free]);
            }
        }
        b.write(0xff);
        return b.toByteArray();
    }

    private static void writeLe(ByteArrayOutputStream b, long v, int width) {
        for (int i = 0; i < width; i++) {
            b.write((int) (v >>> (8 * i)));
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The module id Redis derives from a 9-character type name and an encoding version. */
    static long moduleId(String name, int encver) {
        String charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        long id = 0;
        for (char c : name.toCharArray()) {
            id = (id << 6) | charset.indexOf(c);
        }
        return (id << 10) | encver;
    }
}
