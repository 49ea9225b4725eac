package io.mirrorfs.cli.failover;

/**
 * A failover step refused or failed. The message is for the operator: it names the region, what was
 * found and what (if anything) was changed before the failure.
 */
public final class FailoverException extends Exception {
    private static final long serialVersionUID = 1L;

    public FailoverException(String message) {
        super(message);
    }

    public FailoverException(String message, Throwable cause) {
        super(message, cause);
    }
}
