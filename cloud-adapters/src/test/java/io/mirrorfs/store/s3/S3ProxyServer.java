package io.mirrorfs.store.s3;

import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/** A real S3 server (S3Proxy, in-memory blob store) on a free loopback port, for tests and the benchmark. */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret-do-not-log";

    private final S3Proxy proxy;
    private final BlobStore blobStore;

    private S3ProxyServer(S3Proxy proxy, BlobStore blobStore) {
        this.proxy = proxy;
        this.blobStore = blobStore;
    }

    /** Starts S3Proxy with V2/V4 auth ({@code authenticated}) or none, and creates {@code buckets}. */
    public static S3ProxyServer start(boolean authenticated, String... buckets) throws Exception {
        BlobStore blobStore = new TransientNio2BlobStore();
        for (String b : buckets) {
            blobStore.createContainer(b);
        }
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(authenticated ? AuthenticationType.AWS_V2_OR_V4 : AuthenticationType.NONE,
                        ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start within 30 s, state " + proxy.getState());
            }
            Thread.onSpinWait();
        }
        return new S3ProxyServer(proxy, blobStore);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
