package dev.ferry.source;

import dev.ferry.Throttle;
import dev.ferry.rdb.RdbEntry;
import dev.ferry.rdb.RdbHandler;

import java.io.IOException;

/** A snapshot handler whose keys count as operations against a {@link Throttle}; everything else passes through. */
final class ThrottledRdbHandler implements RdbHandler {

    private final RdbHandler handler;
    private final Throttle throttle;

    private ThrottledRdbHandler(RdbHandler handler, Throttle throttle) {
        this.handler = handler;
        this.throttle = throttle;
    }

    /** {@code handler} itself when {@code throttle} limits no operations. */
    static RdbHandler of(RdbHandler handler, Throttle throttle) {
        return throttle.opsPerSecond() > 0 ? new ThrottledRdbHandler(handler, throttle) : handler;
    }

    @Override
    public void header(String magic, int version) throws IOException {
        handler.header(magic, version);
    }

    @Override
    public void aux(byte[] key, byte[] value) throws IOException {
        handler.aux(key, value);
    }

    @Override
    public void selectDb(int db) throws IOException {
        handler.selectDb(db);
    }

    @Override
    public void resizeDb(long size, long expiresSize) throws IOException {
        handler.resizeDb(size, expiresSize);
    }

    @Override
    public void slotInfo(int slot, long size, long expiresSize) throws IOException {
        handler.slotInfo(slot, size, expiresSize);
    }

    @Override
    public void function(byte[] code) throws IOException {
        handler.function(code);
    }

    @Override
    public void moduleAux(String moduleName) throws IOException {
        handler.moduleAux(moduleName);
    }

    @Override
    public void entry(RdbEntry entry) throws IOException {
        throttle.acquireOps(1);
        handler.entry(entry);
    }

    @Override
    public void end(long checksum) throws IOException {
        handler.end(checksum);
    }
}
