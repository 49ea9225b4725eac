package io.mirrorfs.chaos.cluster;

import io.mirrorfs.chaos.harness.ObjectStoreServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * The object store server's container main: S3Proxy (a real S3 HTTP server, DESIGN §8) with its
 * filesystem blob store under {@code --data}, so a kill -9 and restart keeps every object it
 * acknowledged; V2/V4 signatures checked against the one key pair. Creates the buckets that do not
 * exist yet, then prints {@code READY ID}; runs until killed.
 * <pre>
 * S3ServerMain ID PORT DATA_DIR ACCESS_KEY_ID SECRET_ACCESS_KEY BUCKET...
 * </pre>
 */
public final class S3ServerMain {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private S3ServerMain() {}

    /** The container command, for {@link ObjectStoreServer.Program}. */
    static List<String> command(String id, int port, String dataDir, String accessKeyId, String secretAccessKey,
                                List<String> buckets) {
        List<String> args = new ArrayList<>(List.of(S3ServerMain.class.getName(), id, Integer.toString(port), dataDir,
                accessKeyId, secretAccessKey));
        args.addAll(buckets);
        return args;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: S3ServerMain ID PORT DATA_DIR ACCESS_KEY_ID SECRET_ACCESS_KEY BUCKET...");
            System.exit(2);
        }
        Path data = Path.of(args[2]);
        Files.createDirectories(data);
        BlobStore blobs = new FilesystemNio2BlobStore(data.toString());
        for (int i = 5; i < args.length; i++) {
            if (!blobs.containerExists(args[i])) {
                blobs.createContainer(args[i]);
            }
        }
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobs)
                .endpoint(URI.create("http://0.0.0.0:" + Integer.parseInt(args[1])))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, args[3], args[4])
                .build();
        proxy.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start within " + START_TIMEOUT + ", state " + proxy.getState());
            }
            Thread.sleep(20); // polling jetty's state with a deadline, as the in-process S3ProxyServer does
        }
        System.out.println("READY " + args[0]);
        System.out.flush();
        new CountDownLatch(1).await(); // serves until the container is killed
    }
}
