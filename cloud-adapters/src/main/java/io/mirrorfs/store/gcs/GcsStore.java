package io.mirrorfs.store.gcs;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreConfigException;
import io.mirrorfs.store.StoreException;
import io.mirrorfs.store.StoreLimits;
import io.mirrorfs.store.StoreUri;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Google Cloud Storage ({@code gs://bucket}). Puts below the threshold are one request; larger ones
 * use a resumable upload in {@code partSizeBytes} chunks. Credentials: {@code gcs.credentialsFile} or
 * Application Default Credentials.
 */
public final class GcsStore implements ObjectStore {

    private static final int LIST_PAGE_MAX = 1000;
    /** GCS resumable uploads need chunks that are multiples of 256 KiB. */
    private static final long CHUNK_GRANULE_BYTES = 256 * 1024;

    private final Storage storage;
    private final String bucket;
    private final String uri;
    private final StoreLimits limits;
    private final boolean startOffsetSupported;

    /** For callers that build their own client. */
    public GcsStore(Storage storage, String bucket, StoreLimits limits) {
        this(storage, bucket, limits, true);
    }

    /**
     * @param startOffsetSupported false for LocalStorageHelper, which rejects the list option and lists
     *     in hash order; listings then scan the whole prefix, sort and filter on the client (fine for
     *     tests, slow for big buckets)
     */
    public GcsStore(Storage storage, String bucket, StoreLimits limits, boolean startOffsetSupported) {
        if (limits.partSizeBytes() % CHUNK_GRANULE_BYTES != 0) {
            throw new IllegalArgumentException("GCS part size must be a multiple of 256 KiB: " + limits.partSizeBytes());
        }
        this.storage = storage;
        this.bucket = bucket;
        this.uri = "gs://" + bucket;
        this.limits = limits;
        this.startOffsetSupported = startOffsetSupported;
    }

    public static StoreLimits defaultLimits() {
        return new StoreLimits(32L * 1024 * 1024, 8L * 1024 * 1024, 5L << 40, LIST_PAGE_MAX);
    }

    public static GcsStore open(StoreUri parsed, io.mirrorfs.store.StoreOptions options) throws StoreConfigException {
        StorageOptions.Builder builder = StorageOptions.newBuilder();
        String project = options.get("gcs.projectId");
        if (project != null) {
            builder.setProjectId(project);
        }
        String host = options.get("gcs.host");
        if (host != null) {
            builder.setHost(host);
        }
        String credentialsFile = options.get("gcs.credentialsFile");
        if (credentialsFile != null) {
            try (InputStream in = Files.newInputStream(Path.of(credentialsFile))) {
                builder.setCredentials(GoogleCredentials.fromStream(in));
            } catch (IOException e) {
                throw new StoreConfigException("cannot read GCS credentials file given in gcs.credentialsFile for gs://"
                        + parsed.bucket() + ": " + e.getClass().getSimpleName() + "; point it at a service-account JSON key", e);
            }
        }
        long threshold = options.getLong("multipartThresholdBytes", defaultLimits().multipartThresholdBytes());
        long partSize = options.getLong("partSizeBytes", defaultLimits().partSizeBytes());
        try {
            return new GcsStore(builder.build().getService(), parsed.bucket(),
                    new StoreLimits(threshold, partSize, defaultLimits().objectSizeBytesMax(), LIST_PAGE_MAX));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new StoreConfigException("cannot configure GCS client for gs://" + parsed.bucket() + ": "
                    + e.getMessage() + "; set gcs.projectId / gcs.credentialsFile or Application Default Credentials", e);
        }
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        checkKey(key);
        BlobInfo info = BlobInfo.newBuilder(BlobId.of(bucket, key)).build();
        try {
            if (data.length < limits.multipartThresholdBytes()) {
                storage.create(info, data);
                return;
            }
            try (WriteChannel writer = storage.writer(info)) {
                writer.setChunkSize((int) limits.partSizeBytes());
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    writer.write(buf);
                }
            }
        } catch (StorageException e) {
            throw mapError("put", key, e);
        } catch (IOException e) {
            throw unwrap("put", key, e);
        }
    }

    @Override
    public byte[] get(String key) throws IOException {
        checkKey(key);
        try {
            return storage.readAllBytes(BlobId.of(bucket, key));
        } catch (StorageException e) {
            throw mapError("get", key, e);
        }
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        checkKey(key);
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("bad range offset=" + offset + " length=" + length);
        }
        // The size tells an offset past the end (empty result) apart from a missing key.
        ObjectInfo info = head(key).orElseThrow(() -> new ObjectNotFoundException(uri, key));
        if (offset >= info.sizeBytes() || length == 0) {
            return new byte[0];
        }
        int n = (int) Math.min(length, info.sizeBytes() - offset);
        ByteBuffer buf = ByteBuffer.allocate(n);
        try (ReadChannel reader = storage.reader(BlobId.of(bucket, key))) {
            reader.seek(offset);
            reader.limit(offset + n);
            while (buf.hasRemaining()) {
                if (reader.read(buf) < 0) {
                    throw new StoreException("object " + key + " in " + uri + " ended at " + (offset + buf.position())
                            + ", before the " + info.sizeBytes() + " bytes its metadata reports", true);
                }
            }
        } catch (StorageException e) {
            throw mapError("getRange", key, e);
        } catch (StoreException e) {
            throw e;
        } catch (IOException e) {
            throw unwrap("getRange", key, e);
        }
        return buf.array();
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        checkKey(key);
        try {
            Blob blob = storage.get(BlobId.of(bucket, key));
            return blob == null ? Optional.empty() : Optional.of(toInfo(blob));
        } catch (StorageException e) {
            throw mapError("head", key, e);
        }
    }

    private static ObjectInfo toInfo(Blob blob) {
        Long updated = blob.getUpdateTimeOffsetDateTime() == null ? null
                : blob.getUpdateTimeOffsetDateTime().toInstant().toEpochMilli();
        return new ObjectInfo(blob.getName(), blob.getSize() == null ? 0 : blob.getSize(), updated == null ? 0 : updated);
    }

    @Override
    public void delete(String key) throws IOException {
        checkKey(key);
        try {
            storage.delete(BlobId.of(bucket, key)); // false when missing: fine, delete is idempotent
        } catch (StorageException e) {
            if (e.getCode() == 404) {
                return;
            }
            throw mapError("delete", key, e);
        }
    }

    @Override
    public ListPage list(String prefix, String startAfter, int limit) throws IOException {
        if (limit <= 0) {
            throw new IllegalArgumentException("list limit must be positive: " + limit);
        }
        int wanted = Math.min(limit, LIST_PAGE_MAX);
        String p = prefix == null ? "" : prefix;
        String after = startAfter == null ? "" : startAfter;
        List<Storage.BlobListOption> opts = new ArrayList<>();
        if (startOffsetSupported) {
            opts.add(Storage.BlobListOption.pageSize(wanted + 1)); // the emulator's paging loses keys
        }
        if (!p.isEmpty()) {
            opts.add(Storage.BlobListOption.prefix(p));
        }
        if (!after.isEmpty() && startOffsetSupported) {
            // startOffset is inclusive; the filter below drops the cursor key itself.
            opts.add(Storage.BlobListOption.startOffset(after));
        }
        List<ObjectInfo> out = new ArrayList<>();
        try {
            for (Blob blob : storage.list(bucket, opts.toArray(Storage.BlobListOption[]::new)).iterateAll()) {
                // Filter again on the client: the emulator ignores startOffset and the order check is cheap.
                if (blob.getName().compareTo(after) <= 0 || !blob.getName().startsWith(p)) {
                    continue;
                }
                out.add(toInfo(blob));
                // Real GCS lists in key order, so we can stop early; the emulator lists in hash order.
                if (startOffsetSupported && out.size() > wanted) {
                    break;
                }
            }
        } catch (StorageException e) {
            throw mapError("list", p, e);
        }
        out.sort((a, b) -> a.key().compareTo(b.key()));
        if (out.size() > wanted + 1) {
            out = new ArrayList<>(out.subList(0, wanted + 1));
        }
        boolean truncated = out.size() > wanted;
        return new ListPage(truncated ? out.subList(0, wanted) : out, truncated);
    }

    @Override
    public void copy(String sourceKey, String destinationKey) throws IOException {
        checkKey(sourceKey);
        checkKey(destinationKey);
        try {
            storage.copy(Storage.CopyRequest.of(BlobId.of(bucket, sourceKey), BlobId.of(bucket, destinationKey)))
                    .getResult();
        } catch (StorageException e) {
            throw mapError("copy", sourceKey, e);
        }
    }

    @Override
    public void checkAccess() throws IOException {
        try {
            Bucket b = storage.get(bucket);
            if (b == null) {
                throw new StoreConfigException("bucket '" + bucket + "' does not exist (" + uri
                        + "): create it, or fix the bucket name in the store URI");
            }
            storage.list(bucket, Storage.BlobListOption.pageSize(1));
        } catch (StorageException e) {
            throw mapError("checkAccess", "", e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            storage.close();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("closing GCS client for " + uri, e);
        }
    }

    private IOException unwrap(String op, String key, IOException e) {
        if (e.getCause() instanceof StorageException se) {
            return mapError(op, key, se);
        }
        return new StoreException(op + " " + key + " in " + uri + " failed: " + e.getMessage(), true, e);
    }

    private IOException mapError(String op, String key, StorageException e) {
        String where = op + " " + key + " in " + uri;
        int code = e.getCode();
        if (code == 404) {
            if (key.isEmpty() || (e.getMessage() != null && e.getMessage().toLowerCase().contains("bucket"))) {
                return new StoreConfigException(where + ": bucket '" + bucket + "' not found; create it or fix the URI", e);
            }
            ObjectNotFoundException nf = new ObjectNotFoundException(uri, key);
            nf.initCause(e);
            return nf;
        }
        if (code == 401 || code == 403) {
            return new StoreConfigException(where + ": access denied (HTTP " + code + "); check gcs.credentialsFile or"
                    + " Application Default Credentials and the bucket's IAM roles", e);
        }
        return new StoreException(where + " failed: HTTP " + code + " " + e.getReason(),
                e.isRetryable() || code >= 500 || code == 429 || code == 408 || code == 0, e);
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty key");
        }
    }
}
