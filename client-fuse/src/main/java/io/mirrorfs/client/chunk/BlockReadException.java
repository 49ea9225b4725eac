package io.mirrorfs.client.chunk;

import java.io.IOException;

/** A block could not be read or did not verify; the message names the object. */
public final class BlockReadException extends IOException {
    private static final long serialVersionUID = 1L;

    public BlockReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
