package io.mirrorfs.store;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Explicit settings for opening a store, on top of what the URI says and each SDK's standard
 * credential chain. Secrets live only here: they never reach {@link ObjectStore#uri()}, logs or
 * exception messages ({@link #toString()} masks them).
 *
 * <p>Recognised keys: {@code s3.accessKeyId}, {@code s3.secretAccessKey}, {@code s3.sessionToken},
 * {@code s3.region}, {@code s3.endpoint}; {@code gcs.projectId}, {@code gcs.credentialsFile},
 * {@code gcs.host}; {@code azure.accountKey}, {@code azure.sasToken}, {@code azure.connectionString},
 * {@code azure.endpoint}; {@code multipartThresholdBytes}, {@code partSizeBytes}; and the
 * {@link #requestTimeout()} used by the SDK clients.
 */
public final class StoreOptions {

    private static final java.util.Set<String> SECRET_KEYS = java.util.Set.of(
            "s3.secretAccessKey", "s3.sessionToken", "azure.accountKey", "azure.sasToken", "azure.connectionString");

    private final Map<String, String> values;
    private final Duration requestTimeout;

    private StoreOptions(Map<String, String> values, Duration requestTimeout) {
        this.values = Map.copyOf(values);
        this.requestTimeout = requestTimeout;
    }

    public static StoreOptions defaults() {
        return new StoreOptions(Map.of(), Duration.ofSeconds(60));
    }

    /** A copy with one more setting. */
    public StoreOptions with(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value of " + key);
        Map<String, String> copy = new TreeMap<>(values);
        copy.put(key, value);
        return new StoreOptions(copy, requestTimeout);
    }

    public StoreOptions withRequestTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive: " + timeout);
        }
        return new StoreOptions(values, timeout);
    }

    public String get(String key) {
        return values.get(key);
    }

    public String getOrDefault(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public long getLong(String key, long fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("store option " + key + " must be a number, got '" + v + "'", e);
        }
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((k, v) -> shown.put(k, SECRET_KEYS.contains(k) ? "****" : v));
        return "StoreOptions" + shown + " requestTimeout=" + requestTimeout;
    }
}
