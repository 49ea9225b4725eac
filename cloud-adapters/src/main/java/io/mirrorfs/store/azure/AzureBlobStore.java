package io.mirrorfs.store.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreConfigException;
import io.mirrorfs.store.StoreException;
import io.mirrorfs.store.StoreLimits;
import io.mirrorfs.store.StoreOptions;
import io.mirrorfs.store.StoreUri;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Azure Blob Storage ({@code az://account/container?endpoint=URL}). Large puts stage blocks and
 * commit the block list. Credentials, in order: store options {@code azure.connectionString},
 * {@code azure.accountKey}, {@code azure.sasToken}; then the environment variables
 * {@code AZURE_STORAGE_CONNECTION_STRING}, {@code AZURE_STORAGE_KEY}, {@code AZURE_STORAGE_SAS_TOKEN};
 * then Azure's default credential chain (service principal, workload identity, managed identity, CLI).
 * The HTTP client is the JDK's, so no Netty 4.2 meets the AWS SDK's Netty 4.1.
 */
public final class AzureBlobStore implements ObjectStore {

    private static final int LIST_PAGE_MAX = 5000;
    private static final int BLOCKS_MAX = 50_000;

    private final BlobContainerClient container;
    private final String uri;
    private final StoreLimits limits;
    private final Duration timeout;

    AzureBlobStore(BlobContainerClient container, String uri, StoreLimits limits, Duration timeout) {
        this.container = container;
        this.uri = uri;
        this.limits = limits;
        this.timeout = timeout;
    }

    public static AzureBlobStore open(StoreUri parsed, StoreOptions options) throws StoreConfigException {
        String[] accountAndContainer = parsed.bucket().split("/", 2);
        String account = accountAndContainer[0];
        String containerName = accountAndContainer[1];
        String endpoint = parsed.query().getOrDefault("endpoint", options.get("azure.endpoint"));
        String display = "az://" + parsed.bucket() + (endpoint == null ? "" : "?endpoint=" + endpoint);
        if (endpoint == null) {
            endpoint = "https://" + account + ".blob.core.windows.net";
        }
        HttpClient http = new JdkHttpClientBuilder().build();
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                .httpClient(http)
                // One try per call: the RetryingStore wrapper owns retries.
                .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))));
        String connectionString = firstNonNull(options.get("azure.connectionString"), System.getenv("AZURE_STORAGE_CONNECTION_STRING"));
        String accountKey = firstNonNull(options.get("azure.accountKey"), System.getenv("AZURE_STORAGE_KEY"));
        String sas = firstNonNull(options.get("azure.sasToken"), System.getenv("AZURE_STORAGE_SAS_TOKEN"));
        try {
            if (connectionString != null) {
                builder.connectionString(connectionString);
                if (parsed.query().containsKey("endpoint") || options.get("azure.endpoint") != null) {
                    builder.endpoint(endpoint);
                }
            } else if (accountKey != null) {
                builder.endpoint(endpoint).credential(new StorageSharedKeyCredential(account, accountKey));
            } else if (sas != null) {
                builder.endpoint(endpoint).sasToken(sas);
            } else {
                // Azure's default chain: a service principal in AZURE_CLIENT_ID/…, workload identity on
                // AKS, a VM's managed identity, or a developer's `az login`. Whether any of them works
                // is found out by checkAccess() at format/mount time, with the fix in its message.
                builder.endpoint(endpoint).credential(new DefaultAzureCredentialBuilder().httpClient(http).build());
            }
        } catch (IllegalArgumentException e) {
            // The SDK's messages about malformed keys/strings do not echo the secret; keep only the type to be sure.
            throw new StoreConfigException("invalid Azure credentials or endpoint for " + display
                    + " (" + e.getClass().getSimpleName() + "); check that azure.accountKey is base64 and the endpoint"
                    + " is a URL like http://127.0.0.1:10000/" + account, e);
        }
        long threshold = options.getLong("multipartThresholdBytes", 32L * 1024 * 1024);
        long partSize = options.getLong("partSizeBytes", 8L * 1024 * 1024);
        StoreLimits limits = new StoreLimits(threshold, partSize, partSize * BLOCKS_MAX, LIST_PAGE_MAX);
        return new AzureBlobStore(builder.buildClient().getBlobContainerClient(containerName), display, limits,
                options.requestTimeout());
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
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
        BlockBlobClient blob = blob(key).getBlockBlobClient();
        try {
            if (data.length < limits.multipartThresholdBytes()) {
                blob.uploadWithResponse(new com.azure.storage.blob.options.BlockBlobSimpleUploadOptions(
                        BinaryData.fromBytes(data)), timeout, Context.NONE);
                return;
            }
            List<String> ids = new ArrayList<>();
            int partSize = (int) limits.partSizeBytes();
            for (int offset = 0, n = 0; offset < data.length; offset += partSize, n++) {
                int length = Math.min(partSize, data.length - offset);
                // Block ids must all have the same length within a blob.
                String id = Base64.getEncoder().encodeToString(String.format("block-%08d", n).getBytes(StandardCharsets.US_ASCII));
                blob.stageBlockWithResponse(new com.azure.storage.blob.options.BlockBlobStageBlockOptions(id,
                        BinaryData.fromByteBuffer(java.nio.ByteBuffer.wrap(data, offset, length))), timeout, Context.NONE);
                ids.add(id);
            }
            blob.commitBlockListWithResponse(new com.azure.storage.blob.options.BlockBlobCommitBlockListOptions(ids),
                    timeout, Context.NONE);
        } catch (BlobStorageException e) {
            throw mapError("put", key, e);
        } catch (RuntimeException e) {
            throw mapClientError("put", key, e);
        }
    }

    @Override
    public byte[] get(String key) throws IOException {
        try {
            return blob(key).downloadContentWithResponse(null, null, timeout, Context.NONE).getValue().toBytes();
        } catch (BlobStorageException e) {
            throw mapError("get", key, e);
        } catch (RuntimeException e) {
            throw mapClientError("get", key, e);
        }
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("bad range offset=" + offset + " length=" + length);
        }
        if (length == 0) {
            if (head(key).isEmpty()) {
                throw new ObjectNotFoundException(uri, key);
            }
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(length, 1 << 20));
        try {
            blob(key).downloadStreamWithResponse(out, new BlobRange(offset, (long) length), null, null, false,
                    timeout, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 416) {
                return new byte[0]; // offset at or past the end, or an empty blob
            }
            throw mapError("getRange", key, e);
        } catch (RuntimeException e) {
            throw mapClientError("getRange", key, e);
        }
        if (out.size() > length) {
            throw new StoreException("server returned more than the requested range for " + key + " in " + uri, false);
        }
        return out.toByteArray();
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        try {
            BlobProperties p = blob(key).getPropertiesWithResponse(null, timeout, Context.NONE).getValue();
            return Optional.of(new ObjectInfo(key, p.getBlobSize(), p.getLastModified().toInstant().toEpochMilli()));
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404 && !isContainerMissing(e)) {
                return Optional.empty();
            }
            throw mapError("head", key, e);
        } catch (RuntimeException e) {
            throw mapClientError("head", key, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            blob(key).deleteIfExistsWithResponse(null, null, timeout, Context.NONE);
        } catch (BlobStorageException e) {
            throw mapError("delete", key, e);
        } catch (RuntimeException e) {
            throw mapClientError("delete", key, e);
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
        ListBlobsOptions opts = new ListBlobsOptions().setMaxResultsPerPage(wanted + 1);
        if (!p.isEmpty()) {
            opts.setPrefix(p);
        }
        if (!after.isEmpty()) {
            opts.setStartFrom(after); // inclusive; the filter drops the cursor key (and all of it if ignored)
        }
        List<ObjectInfo> out = new ArrayList<>();
        try {
            for (BlobItem item : container.listBlobs(opts, timeout)) {
                if (item.getName().compareTo(after) <= 0) {
                    continue;
                }
                out.add(new ObjectInfo(item.getName(), item.getProperties().getContentLength(),
                        item.getProperties().getLastModified().toInstant().toEpochMilli()));
                if (out.size() > wanted) {
                    break;
                }
            }
        } catch (BlobStorageException e) {
            throw mapError("list", p, e);
        } catch (RuntimeException e) {
            throw mapClientError("list", p, e);
        }
        boolean truncated = out.size() > wanted;
        return new ListPage(truncated ? out.subList(0, wanted) : out, truncated);
    }

    @Override
    public void copy(String sourceKey, String destinationKey) throws IOException {
        // A server-side copy within one account needs no SAS; small blobs complete at once.
        BlobClient source = blob(sourceKey);
        try {
            var poller = blob(destinationKey).beginCopy(source.getBlobUrl(), Duration.ofMillis(50));
            var result = poller.waitForCompletion(timeout);
            if (!result.getStatus().isComplete()) {
                throw new StoreException("copy of " + sourceKey + " in " + uri + " did not finish within " + timeout, true);
            }
            var status = result.getValue().getCopyStatus();
            if (status != com.azure.storage.blob.models.CopyStatusType.SUCCESS) {
                throw new StoreException("copy of " + sourceKey + " in " + uri + " ended " + status, true);
            }
        } catch (BlobStorageException e) {
            throw mapError("copy", sourceKey, e);
        } catch (RuntimeException e) {
            throw mapClientError("copy", sourceKey, e);
        }
    }

    @Override
    public void checkAccess() throws IOException {
        try {
            if (!container.existsWithResponse(timeout, Context.NONE).getValue()) {
                throw new StoreConfigException("container '" + container.getBlobContainerName() + "' does not exist at "
                        + uri + ": create it, or fix the account/container in the store URI");
            }
            container.listBlobs(new ListBlobsOptions().setMaxResultsPerPage(1), timeout).iterator().hasNext();
        } catch (BlobStorageException e) {
            throw mapError("checkAccess", "", e);
        } catch (RuntimeException e) {
            throw mapClientError("checkAccess", "", e);
        }
    }

    @Override
    public void close() {
        // The JDK HttpClient has no close on Java 21; its threads are daemons.
    }

    private BlobClient blob(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty key");
        }
        return container.getBlobClient(key);
    }

    private static boolean isContainerMissing(BlobStorageException e) {
        return e.getErrorCode() != null && "ContainerNotFound".equals(e.getErrorCode().toString());
    }

    private IOException mapError(String op, String key, BlobStorageException e) {
        String where = op + " " + key + " in " + uri;
        int status = e.getStatusCode();
        String code = e.getErrorCode() == null ? "" : e.getErrorCode().toString();
        if (status == 404 && isContainerMissing(e)) {
            return new StoreConfigException(where + ": container '" + container.getBlobContainerName()
                    + "' does not exist; create it or fix the store URI", e);
        }
        if (status == 404) {
            ObjectNotFoundException nf = new ObjectNotFoundException(uri, key);
            nf.initCause(e);
            return nf;
        }
        if (status == 401 || status == 403) {
            return new StoreConfigException(where + ": access denied (HTTP " + status + " " + code + "); check"
                    + " azure.accountKey / azure.sasToken (or AZURE_STORAGE_KEY) and the account name", e);
        }
        boolean retryable = status >= 500 || status == 408 || status == 429;
        return new StoreException(where + " failed: HTTP " + status + " " + code, retryable, e);
    }

    private IOException mapClientError(String op, String key, RuntimeException e) {
        if (e instanceof IllegalArgumentException) {
            throw e; // a programmer error (bad key), not an I/O failure
        }
        if (e instanceof ClientAuthenticationException) {
            // The default credential chain found nothing usable; retrying will not change that.
            return new StoreConfigException(op + " " + key + " in " + uri + ": no usable Azure credentials ("
                    + e.getClass().getSimpleName() + "); pass azure.accountKey, azure.sasToken or"
                    + " azure.connectionString, set AZURE_STORAGE_KEY, or give this host an identity"
                    + " (AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, workload or managed identity)", e);
        }
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        return new StoreException(op + " " + key + " in " + uri + " failed: " + cause, true, e);
    }
}
