package io.mirrorfs.store;

import io.mirrorfs.store.local.LocalDirectoryStore;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The one place store URIs are parsed:
 * <ul>
 *   <li>{@code file:///path} — {@link LocalDirectoryStore}</li>
 *   <li>{@code s3://bucket/prefix?region=R&endpoint=http://host:port} — Amazon S3 or S3-compatible</li>
 *   <li>{@code gs://bucket/prefix} — Google Cloud Storage</li>
 *   <li>{@code az://account/container/prefix?endpoint=http://127.0.0.1:10000/devstoreaccount1} — Azure Blob</li>
 * </ul>
 * A prefix in the URI becomes a {@link io.mirrorfs.store.wrap.PrefixStore} around the backend.
 * Secrets are never accepted in the URI (they would end up in topology files and logs); pass them in
 * {@link StoreOptions} or let the SDK's default credential chain find them.
 */
public final class ObjectStores {

    private ObjectStores() {}

    public static ObjectStore open(String uri) throws IOException {
        return open(uri, StoreOptions.defaults());
    }

    public static ObjectStore open(String uriText, StoreOptions options) throws IOException {
        StoreUri parsed = StoreUri.parse(uriText);
        ObjectStore backend = switch (parsed.scheme()) {
            case "file" -> new LocalDirectoryStore(Path.of(parsed.bucket()));
            case "s3" -> io.mirrorfs.store.s3.S3Store.open(parsed, options);
            case "gs" -> io.mirrorfs.store.gcs.GcsStore.open(parsed, options);
            case "az" -> io.mirrorfs.store.azure.AzureBlobStore.open(parsed, options);
            default -> throw new AssertionError("StoreUri.parse accepted scheme " + parsed.scheme());
        };
        return parsed.prefix().isEmpty() ? backend : new io.mirrorfs.store.wrap.PrefixStore(backend, parsed.prefix());
    }

    /** Opens the store and probes it, closing it again if the probe fails. */
    public static ObjectStore openChecked(String uri, StoreOptions options) throws IOException {
        ObjectStore store = open(uri, options);
        try {
            store.checkAccess();
            return store;
        } catch (IOException | RuntimeException e) {
            try {
                store.close();
            } catch (IOException closeError) {
                e.addSuppressed(closeError);
            }
            throw e;
        }
    }

    static URI toUri(String text) throws StoreConfigException {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new StoreConfigException("malformed store URI '" + StoreUri.redact(text) + "': " + e.getReason()
                    + "; expected e.g. file:///var/lib/mirrorfs/blocks, s3://bucket/prefix, gs://bucket/prefix"
                    + " or az://account/container/prefix", e);
        }
    }
}
