package io.mirrorfs.api.topology;

/** A topology file that cannot be used; the message names the file, the region and the field. */
public final class TopologyException extends Exception {
    public TopologyException(String message) {
        super(message);
    }

    public TopologyException(String message, Throwable cause) {
        super(message, cause);
    }
}
