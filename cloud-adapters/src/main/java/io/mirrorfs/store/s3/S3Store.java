package io.mirrorfs.store.s3;

import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreConfigException;
import io.mirrorfs.store.StoreException;
import io.mirrorfs.store.StoreLimits;
import io.mirrorfs.store.StoreOptions;
import io.mirrorfs.store.StoreUri;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Amazon S3 and S3-compatible servers ({@code s3://bucket?region=R&endpoint=URL}).
 *
 * <p>The client's own retries are off: retrying is the {@code RetryingStore} wrapper's job, so the
 * number of attempts is bounded in one place. With a custom endpoint the client uses path-style
 * addressing and only sends/validates checksums when the API requires them (S3-compatible servers
 * differ in what they support); over plain http chunked encoding is off, since some servers would
 * store the chunk signatures inside the object.
 */
public final class S3Store implements ObjectStore {

    /** S3's own bounds: 5 MiB minimum part (except the last), 10,000 parts, 1,000 keys per list. */
    public static final long PART_SIZE_BYTES_MIN = 5L * 1024 * 1024;
    private static final int PARTS_MAX = 10_000;
    private static final int LIST_PAGE_MAX = 1000;
    private static final long COPY_SIZE_BYTES_MAX = 5L * 1024 * 1024 * 1024;

    private final S3Client client;
    private final String bucket;
    private final String uri;
    private final StoreLimits limits;

    S3Store(S3Client client, String bucket, String uri, StoreLimits limits) {
        this.client = client;
        this.bucket = bucket;
        this.uri = uri;
        this.limits = limits;
    }

    public static S3Store open(StoreUri parsed, StoreOptions options) throws StoreConfigException {
        String bucket = parsed.bucket();
        String display = "s3://" + bucket + (parsed.query().isEmpty() ? "" : "?" + queryText(parsed));
        String endpoint = parsed.query().getOrDefault("endpoint", options.get("s3.endpoint"));
        String regionName = parsed.query().getOrDefault("region", options.get("s3.region"));
        Region region;
        if (regionName != null) {
            region = Region.of(regionName);
        } else if (endpoint != null) {
            region = Region.US_EAST_1; // S3-compatible servers mostly ignore it, but signing needs one
        } else {
            try {
                region = new DefaultAwsRegionProviderChain().getRegion();
            } catch (SdkClientException e) {
                throw new StoreConfigException("no AWS region for " + display + ": add ?region=eu-west-1 to the URI"
                        + " or set AWS_REGION", e);
            }
        }
        long threshold = options.getLong("multipartThresholdBytes", 32L * 1024 * 1024);
        long partSize = options.getLong("partSizeBytes", 8L * 1024 * 1024);
        if (partSize < PART_SIZE_BYTES_MIN || threshold < partSize) {
            throw new StoreConfigException("bad multipart settings for " + display + ": partSizeBytes must be >= "
                    + PART_SIZE_BYTES_MIN + " and multipartThresholdBytes >= partSizeBytes");
        }
        var builder = S3Client.builder()
                .region(region)
                .credentialsProvider(credentials(options))
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(64)
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(options.requestTimeout())
                        .tcpKeepAlive(true))
                .overrideConfiguration(o -> o
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(options.requestTimeout()));
        if (endpoint != null) {
            URI endpointUri;
            try {
                endpointUri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw new StoreConfigException("bad endpoint '" + endpoint + "' for " + display
                        + ": write e.g. ?endpoint=http://127.0.0.1:9000", e);
            }
            if (endpointUri.getScheme() == null || endpointUri.getHost() == null) {
                throw new StoreConfigException("bad endpoint '" + endpoint + "' for " + display
                        + ": write e.g. ?endpoint=http://127.0.0.1:9000");
            }
            boolean plainHttp = "http".equalsIgnoreCase(endpointUri.getScheme());
            builder.endpointOverride(endpointUri)
                    .forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(!plainHttp).build());
        }
        StoreLimits limits = new StoreLimits(threshold, partSize, Math.min(partSize * PARTS_MAX, 5L << 40), LIST_PAGE_MAX);
        return new S3Store(builder.build(), bucket, display, limits);
    }

    private static String queryText(StoreUri parsed) {
        StringBuilder sb = new StringBuilder();
        parsed.query().forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "&").append(k).append('=').append(v));
        return sb.toString();
    }

    private static AwsCredentialsProvider credentials(StoreOptions options) throws StoreConfigException {
        String id = options.get("s3.accessKeyId");
        String secret = options.get("s3.secretAccessKey");
        if (id == null && secret == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        if (id == null || secret == null) {
            throw new StoreConfigException("S3 store options need both s3.accessKeyId and s3.secretAccessKey, or neither"
                    + " (then the AWS default credential chain is used)");
        }
        String token = options.get("s3.sessionToken");
        return StaticCredentialsProvider.create(token == null
                ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, token));
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
        if (data.length > limits.objectSizeBytesMax()) {
            throw new StoreException("object " + key + " of " + data.length + " bytes exceeds " + uri + "'s limit", false);
        }
        try {
            if (data.length < limits.multipartThresholdBytes()) {
                client.putObject(b -> b.bucket(bucket).key(key).contentLength((long) data.length),
                        RequestBody.fromBytes(data));
            } else {
                putMultipart(key, data);
            }
        } catch (SdkException e) {
            throw mapError("put", key, e);
        }
    }

    private void putMultipart(String key, byte[] data) throws IOException {
        String uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        boolean completed = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int partSize = (int) limits.partSizeBytes();
            for (int offset = 0, number = 1; offset < data.length; offset += partSize, number++) {
                int length = Math.min(partSize, data.length - offset);
                int partNumber = number;
                String etag = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(partNumber).contentLength((long) length),
                        // fromByteBuffer() rewinds to the array start; fromRemainingByteBuffer() honours the offset.
                        RequestBody.fromRemainingByteBuffer(java.nio.ByteBuffer.wrap(data, offset, length))).eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
            }
            client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            completed = true;
        } finally {
            if (!completed) {
                abortQuietly(key, uploadId);
            }
        }
    }

    /** Best effort: a failed abort leaves parts that a bucket lifecycle rule cleans up; the put's error wins. */
    private void abortQuietly(String key, String uploadId) {
        try {
            client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            org.slf4j.LoggerFactory.getLogger(S3Store.class)
                    .warn("could not abort multipart upload of {} in {}: {}", key, uri, e.getMessage());
        }
    }

    @Override
    public byte[] get(String key) throws IOException {
        checkKey(key);
        try {
            ResponseBytes<GetObjectResponse> bytes = client.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return bytes.asByteArrayUnsafe();
        } catch (SdkException e) {
            throw mapError("get", key, e);
        }
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        checkKey(key);
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("bad range offset=" + offset + " length=" + length);
        }
        if (length == 0) {
            if (head(key).isEmpty()) {
                throw new ObjectNotFoundException(uri, key);
            }
            return new byte[0];
        }
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        try {
            byte[] bytes = client.getObjectAsBytes(b -> b.bucket(bucket).key(key).range(range)).asByteArrayUnsafe();
            if (bytes.length > length) {
                // A server that ignores Range sends the whole object; never hand back bytes we did not ask for.
                throw new StoreException("server ignored the Range header for " + key + " in " + uri, false);
            }
            return bytes;
        } catch (SdkServiceException e) {
            if (e.statusCode() == 416) {
                return new byte[0]; // offset at or past the end (or an empty object)
            }
            throw mapError("getRange", key, e);
        } catch (SdkException e) {
            throw mapError("getRange", key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        checkKey(key);
        try {
            HeadObjectResponse r = client.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new ObjectInfo(key, r.contentLength(), r.lastModified().toEpochMilli()));
        } catch (SdkServiceException e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw mapError("head", key, e);
        } catch (SdkException e) {
            throw mapError("head", key, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        checkKey(key);
        try {
            client.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkServiceException e) {
            if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
                return; // some S3-compatible servers answer 404 where S3 answers 204
            }
            throw mapError("delete", key, e);
        } catch (SdkException e) {
            throw mapError("delete", key, e);
        }
    }

    @Override
    public ListPage list(String prefix, String startAfter, int limit) throws IOException {
        if (limit <= 0) {
            throw new IllegalArgumentException("list limit must be positive: " + limit);
        }
        int maxKeys = Math.min(limit, LIST_PAGE_MAX);
        try {
            ListObjectsV2Response r = client.listObjectsV2(b -> {
                b.bucket(bucket).maxKeys(maxKeys);
                if (prefix != null && !prefix.isEmpty()) {
                    b.prefix(prefix);
                }
                if (startAfter != null && !startAfter.isEmpty()) {
                    b.startAfter(startAfter);
                }
            });
            List<ObjectInfo> out = new ArrayList<>(r.contents().size());
            for (S3Object o : r.contents()) {
                out.add(new ObjectInfo(o.key(), o.size(), o.lastModified().toEpochMilli()));
            }
            return new ListPage(out, Boolean.TRUE.equals(r.isTruncated()) && !out.isEmpty());
        } catch (SdkException e) {
            throw mapError("list", prefix, e);
        }
    }

    @Override
    public void copy(String sourceKey, String destinationKey) throws IOException {
        checkKey(sourceKey);
        checkKey(destinationKey);
        ObjectInfo source = head(sourceKey).orElseThrow(() -> new ObjectNotFoundException(uri, sourceKey));
        if (source.sizeBytes() > COPY_SIZE_BYTES_MAX) {
            throw new StoreException("copy of " + sourceKey + " (" + source.sizeBytes()
                    + " bytes) exceeds S3's 5 GiB single-copy limit; blocks are at most 4 MiB", false);
        }
        try {
            client.copyObject(b -> b.sourceBucket(bucket).sourceKey(sourceKey)
                    .destinationBucket(bucket).destinationKey(destinationKey));
        } catch (SdkException e) {
            throw mapError("copy", sourceKey, e);
        }
    }

    @Override
    public void checkAccess() throws IOException {
        try {
            client.headBucket(b -> b.bucket(bucket));
            client.listObjectsV2(b -> b.bucket(bucket).maxKeys(1));
        } catch (SdkServiceException e) {
            if (e.statusCode() == 404) {
                throw new StoreConfigException("bucket '" + bucket + "' does not exist at " + uri
                        + ": create it, or fix the bucket name/region/endpoint in the store URI", e);
            }
            throw mapError("checkAccess", "", e);
        } catch (SdkException e) {
            throw mapError("checkAccess", "", e);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    private IOException mapError(String op, String key, SdkException e) {
        String where = op + " " + key + " in " + uri;
        if (e instanceof SdkServiceException se) {
            int status = se.statusCode();
            if (status == 404 && isNoSuchBucket(se)) {
                return new StoreConfigException(where + ": bucket '" + bucket + "' does not exist;"
                        + " create it or fix the store URI", e);
            }
            if (status == 404) {
                ObjectNotFoundException nf = new ObjectNotFoundException(uri, key);
                nf.initCause(e);
                return nf;
            }
            if (status == 401 || status == 403) {
                return new StoreConfigException(where + ": access denied (HTTP " + status + ", "
                        + errorCode(se) + "); check the credentials (s3.accessKeyId/s3.secretAccessKey options or the"
                        + " AWS default chain) and the bucket policy", e);
            }
            boolean retryable = status >= 500 || status == 429 || status == 408 || se.isThrottlingException();
            return new StoreException(where + " failed: HTTP " + status + " " + errorCode(se), retryable, e);
        }
        if (e instanceof SdkClientException && e.getMessage() != null
                && e.getMessage().contains("Unable to load credentials")) {
            return new StoreConfigException(where + ": no AWS credentials found; pass s3.accessKeyId and"
                    + " s3.secretAccessKey, or configure the AWS default chain (env, ~/.aws, instance role)", e);
        }
        // Client-side failures are I/O: connection refused/reset, timeouts. Worth another attempt.
        return new StoreException(where + " failed: " + e.getMessage(), true, e);
    }

    private static boolean isNoSuchBucket(SdkServiceException e) {
        return "NoSuchBucket".equals(errorCode(e));
    }

    private static String errorCode(SdkServiceException e) {
        if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException ae && ae.awsErrorDetails() != null) {
            return ae.awsErrorDetails().errorCode();
        }
        return "";
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty key");
        }
    }
}
