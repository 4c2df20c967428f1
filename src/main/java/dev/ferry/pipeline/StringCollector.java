package dev.ferry.pipeline;

import dev.ferry.rdb.RdbType;
import dev.ferry.rdb.ValueVisitor;
import dev.ferry.sink.TargetProfile;
import dev.ferry.sink.WriteSink;

import java.io.IOException;

/**
 * Takes a decoded string value whole when it is small; a larger one is handed, chunk by chunk, to a
 * {@link ValueRewriter} ({@code SET} + {@code APPEND}), so memory stays bounded whatever its size.
 */
final class StringCollector implements ValueVisitor {

    private final byte[] key;
    private final TargetProfile target;
    private final WriteSink sink;
    private final int smallLimit;
    private ValueRewriter big;
    private byte[] whole;
    private long length;

    StringCollector(byte[] key, TargetProfile target, WriteSink sink, int smallLimit) {
        this.key = key;
        this.target = target;
        this.sink = sink;
        this.smallLimit = smallLimit;
    }

    @Override
    public void begin(RdbType type, long size) throws IOException {
        if (size > smallLimit) {
            big = new ValueRewriter(key, target, sink);
            big.begin(type, size);
        }
    }

    @Override
    public void string(byte[] chunk, long offset, long totalLength) throws IOException {
        length = totalLength;
        if (big != null) {
            big.string(chunk, offset, totalLength);
        } else if (offset == 0 && chunk.length == totalLength) {
            whole = chunk;
        } else {
            // A small string split into chunks (it does not happen with the default chunk size): stream it.
            if (offset == 0) {
                big = new ValueRewriter(key, target, sink);
                big.begin(RdbType.STRING, totalLength);
            }
            big.string(chunk, offset, totalLength);
        }
    }

    @Override
    public void end() throws IOException {
        if (big != null) {
            big.end();
        }
    }

    /** The value, or null when it was streamed to the target as commands. */
    byte[] bytes() {
        return big == null ? (whole == null ? new byte[0] : whole) : null;
    }

    long length() {
        return length;
    }
}
