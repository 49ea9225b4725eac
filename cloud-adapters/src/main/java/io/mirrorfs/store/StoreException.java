package io.mirrorfs.store;

import java.io.IOException;

/**
 * A store failure with a verdict on whether trying again can help. Backends map their SDK errors to
 * this (or to {@link ObjectNotFoundException}); the retry wrapper only retries when {@link #retryable()}.
 * Messages name the store by its secret-free URI.
 */
public class StoreException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public StoreException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public StoreException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    public boolean retryable() {
        return retryable;
    }
}
