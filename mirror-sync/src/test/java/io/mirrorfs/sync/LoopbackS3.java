package io.mirrorfs.sync;

import java.net.URI;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/** S3Proxy in this JVM on a free loopback port, over an in-memory blob store: a real S3 server for tests. */
final class LoopbackS3 implements AutoCloseable {
    static final String ACCESS_KEY = "sync-test-access";
    static final String SECRET_KEY = "sync-test-secret";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final S3Proxy proxy;

    private LoopbackS3(S3Proxy proxy) {
        this.proxy = proxy;
    }

    static LoopbackS3 start(String bucket) throws Exception {
        BlobStore blobs = new TransientNio2BlobStore();
        blobs.createContainer(bucket);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobs)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy not started within " + START_TIMEOUT + ": " + proxy.getState());
            }
            Thread.onSpinWait();
        }
        return new LoopbackS3(proxy);
    }

    String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
