package io.mirrorfs.meta.engine;

/** A client's request bytes are not a usable {@code MetaRequest}: malformed, no op, or no request id. */
public final class InvalidRequestException extends Exception {
    public InvalidRequestException(String message) {
        super(message);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
