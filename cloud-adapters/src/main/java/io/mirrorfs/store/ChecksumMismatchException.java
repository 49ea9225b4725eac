package io.mirrorfs.store;

/**
 * Bytes read from a store do not match the size or CRC32C that metadata recorded. The data is never
 * handed out. Retryable: a torn transfer may read correctly next time; a second mismatch after
 * retries means the stored copy is bad and must be repaired from another store.
 */
public class ChecksumMismatchException extends StoreException {
    private static final long serialVersionUID = 1L;

    public ChecksumMismatchException(String message) {
        super(message, true);
    }
}
