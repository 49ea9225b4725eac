package io.mirrorfs.meta.engine.store;

/** RocksDB failed underneath a read; the engine turns it into an IOException (apply) or EIO (query). */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
