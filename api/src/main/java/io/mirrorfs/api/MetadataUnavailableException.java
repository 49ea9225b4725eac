package io.mirrorfs.api;

/** The metadata group could not be reached (or did not answer) within the client's deadline. */
public class MetadataUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MetadataUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
