package io.mirrorfs.store;

import java.io.IOException;

/** The one "no such object" type every backend maps its own not-found error to. */
public class ObjectNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    public ObjectNotFoundException(String storeUri, String key) {
        super("object not found: " + key + " in " + storeUri);
    }
}
