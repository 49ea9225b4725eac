package io.mirrorfs.store;

/**
 * The store cannot be used as configured: malformed URI, unknown scheme, missing bucket, rejected
 * credentials. Never retryable; the message names the store and says how to fix it.
 */
public class StoreConfigException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreConfigException(String message, Throwable cause) {
        super(message, false, cause);
    }

    public StoreConfigException(String message) {
        this(message, null);
    }
}
