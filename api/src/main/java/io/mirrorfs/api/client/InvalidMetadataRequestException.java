package io.mirrorfs.api.client;

/**
 * The metadata group refused a request as unusable (malformed bytes, no op, no request id): a
 * programmer error in the caller, never retried. Namespace errors (ENOENT, EEXIST ...) are not this;
 * they come back as an errno in the reply.
 */
public class InvalidMetadataRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidMetadataRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
