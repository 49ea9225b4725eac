package io.mirrorfs.api.net;

import java.io.IOException;

/**
 * TLS material that cannot be used. The message names the file and says how to fix it. An
 * {@link IOException} so that commands, which already report I/O errors, report this one as well.
 */
public final class TlsException extends IOException {
    public TlsException(String message) {
        super(message);
    }

    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
