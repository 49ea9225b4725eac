package io.mirrorfs.chaos.harness;

import io.mirrorfs.api.client.MetaPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real S3 server in its own container on the run's network (issue 7: "object store server"), so
 * the nemesis can pause, partition or kill it like a node. Its objects live in the container's data
 * folder (a host folder mounted at /data), so a kill -9 and restart keeps every object it acknowledged.
 * What runs inside is the caller's {@link Program} (the tests' S3Proxy main), which must create the
 * buckets and print {@code READY <id>} once it serves.
 *
 * <p>Credentials are fixed test values: the server accepts only them, the test JVM passes them as
 * store options, and containers that open {@code s3://} URIs get them as the AWS SDK's environment
 * variables ({@link #credentialDockerArgs()}), the adapter's fallback when a URI carries no options.
 */
public final class ObjectStoreServer {
    public static final int PORT = 9000;
    public static final String SIGNING_REGION = "us-east-1";
    public static final String ACCESS_KEY_ID = "chaos-access";
    public static final String SECRET_ACCESS_KEY = "chaos-secret-not-a-real-one";
    private static final String DATA_IN_CONTAINER = NodeContainer.DATA_IN_CONTAINER + "/blobs";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /** What runs in the container: {@code java MAIN ARGS...}, serving S3 on {@code port} with these buckets. */
    @FunctionalInterface
    public interface Program {
        List<String> command(String id, int port, String dataDir, String accessKeyId, String secretAccessKey,
                             List<String> buckets);
    }

    private final NodeContainer container;

    private ObjectStoreServer(NodeContainer container) {
        this.container = container;
    }

    /** Creates and starts the server's container at {@code network.host(hostOctet)}; waits for READY. */
    static ObjectStoreServer start(RunNetwork network, Path runDir, Classpath classpath, String id, int hostOctet,
                                   Program program, List<String> buckets) throws Exception {
        Path data = runDir.resolve("data").resolve(id);
        Files.createDirectories(data);
        NodeContainer c = new NodeContainer(network.name() + "-" + id, new MetaPeer(id, network.host(hostOctet), PORT), data);
        c.createRunning(network.name(), network.runLabel(), classpath,
                program.command(id, PORT, DATA_IN_CONTAINER, ACCESS_KEY_ID, SECRET_ACCESS_KEY, buckets), List.of());
        ObjectStoreServer server = new ObjectStoreServer(c);
        c.start();
        server.awaitReady(1);
        return server;
    }

    public NodeContainer node() {
        return container;
    }

    public String endpoint() {
        return "http://" + container.ip() + ":" + PORT;
    }

    /** The store URI of {@code bucket/prefix} on this server, as the S3 adapter parses it (path-style via endpoint). */
    public String storeUri(String bucket, String prefix) {
        return "s3://" + bucket + "/" + prefix + "?endpoint=" + endpoint() + "&region=" + SIGNING_REGION;
    }

    /**
     * {@code docker create} options for a container whose programs open this server's URIs with default
     * store options: the AWS SDK's default chain reads the keys from the environment; the instance
     * metadata probe is switched off, since it would try to leave the machine.
     */
    public static List<String> credentialDockerArgs() {
        return List.of("-e", "AWS_ACCESS_KEY_ID=" + ACCESS_KEY_ID, "-e", "AWS_SECRET_ACCESS_KEY=" + SECRET_ACCESS_KEY,
                "-e", "AWS_REGION=" + SIGNING_REGION, "-e", "AWS_EC2_METADATA_DISABLED=true");
    }

    /** SIGKILL to the server's JVM; its objects stay in the data folder. */
    public void kill9() throws IOException, InterruptedException {
        container.kill9();
    }

    /** Starts the killed server again and waits for its next READY line. */
    public void restart() throws Exception {
        int before = container.readyCount();
        container.start();
        awaitReady(before + 1);
    }

    private void awaitReady(int readyLines) throws Exception {
        Await.until(container.id() + " (object store server) to print READY", START_TIMEOUT, () -> {
            String state = container.state();
            if (state.equals("exited") || state.equals("dead")) {
                throw new IllegalStateException(container.id() + " exited; last output:\n"
                        + ContainerCluster.tail(container.allOutput(), 40));
            }
            return container.readyCount() >= readyLines;
        });
    }

    @Override
    public String toString() {
        return "object store server " + container;
    }
}
