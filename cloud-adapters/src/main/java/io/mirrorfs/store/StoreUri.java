package io.mirrorfs.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A parsed store URI. {@code bucket} is the bucket (s3, gs), {@code account/container} (az) or the
 * absolute directory (file); {@code prefix} is empty or ends with '/'.
 */
public record StoreUri(String scheme, String bucket, String prefix, Map<String, String> query) {

    private static final Set<String> SCHEMES = Set.of("file", "s3", "gs", "az");
    private static final Set<String> QUERY_KEYS = Set.of("region", "endpoint");

    public StoreUri {
        query = Map.copyOf(query);
    }

    /** The URI as shown to people: no secrets are ever part of it. */
    public String display() {
        StringBuilder sb = new StringBuilder(scheme).append("://");
        sb.append(scheme.equals("file") ? bucket : bucket + "/" + prefix);
        String sep = "?";
        for (Map.Entry<String, String> e : new TreeMap<>(query).entrySet()) {
            sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = "&";
        }
        return sb.toString();
    }

    public static StoreUri parse(String text) throws StoreConfigException {
        if (text == null || text.isBlank()) {
            throw new StoreConfigException("empty store URI; expected file:///path, s3://bucket/prefix,"
                    + " gs://bucket/prefix or az://account/container/prefix");
        }
        URI uri = ObjectStores.toUri(text.trim());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new StoreConfigException("unknown scheme '" + scheme + "' in store URI '" + redact(text)
                    + "'; use one of file://, s3://, gs://, az://");
        }
        if (uri.getRawUserInfo() != null) {
            throw new StoreConfigException("store URI '" + redact(text) + "' carries credentials; remove them"
                    + " and pass them as store options or through the SDK's standard credential chain");
        }
        Map<String, String> query = parseQuery(uri, text);
        if (scheme.equals("file")) {
            if (uri.getAuthority() != null && !uri.getAuthority().isEmpty()) {
                throw new StoreConfigException("file store URI '" + text + "' has a host; write file:///absolute/path");
            }
            String path = uri.getPath();
            if (path == null || !path.startsWith("/")) {
                throw new StoreConfigException("file store URI '" + text + "' needs an absolute path: file:///absolute/path");
            }
            if (!query.isEmpty()) {
                throw new StoreConfigException("file store URI '" + text + "' takes no query parameters");
            }
            return new StoreUri(scheme, path, "", query);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new StoreConfigException("store URI '" + redact(text) + "' has no bucket/account;"
                    + " write e.g. " + scheme + "://" + (scheme.equals("az") ? "account/container/prefix" : "bucket/prefix"));
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String rest = path.startsWith("/") ? path.substring(1) : path;
        String bucket = host;
        if (scheme.equals("az")) {
            int slash = rest.indexOf('/');
            String container = slash < 0 ? rest : rest.substring(0, slash);
            if (container.isEmpty()) {
                throw new StoreConfigException("Azure store URI '" + redact(text) + "' has no container;"
                        + " write az://account/container/prefix");
            }
            bucket = host + "/" + container;
            rest = slash < 0 ? "" : rest.substring(slash + 1);
        }
        if (!rest.isEmpty() && !rest.endsWith("/")) {
            rest = rest + "/";
        }
        if (rest.contains("//") || rest.startsWith("/")) {
            throw new StoreConfigException("store URI '" + redact(text) + "' has an empty path segment in its prefix");
        }
        return new StoreUri(scheme, bucket, rest, query);
    }

    private static Map<String, String> parseQuery(URI uri, String text) throws StoreConfigException {
        Map<String, String> out = new TreeMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!QUERY_KEYS.contains(k)) {
                throw new StoreConfigException("unknown parameter '" + k + "' in store URI '" + redact(text)
                        + "'; allowed: " + QUERY_KEYS + " (credentials go in store options, not the URI)");
            }
            if (v.isEmpty()) {
                throw new StoreConfigException("parameter '" + k + "' in store URI '" + redact(text) + "' is empty");
            }
            out.put(k, v);
        }
        return out;
    }

    /** Drops user-info and the query from a URI we could not trust, so a pasted secret is not echoed. */
    static String redact(String text) {
        String s = text.replaceAll("//[^/@]*@", "//****@");
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q) + "?…";
    }
}
