package io.mirrorfs.chaos.harness;

import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.chaos.agent.FsAgentMain;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A FUSE client in its own container on the run's network (same local image as the nodes), so that
 * partitions and pauses cut it off like any node. FUSE needs {@code /dev/fuse} and CAP_SYS_ADMIN for
 * mount(2), so the container gets exactly those; its init is the {@link FsAgentMain} the test
 * drives; the {@code mirrorfs mount} process (the real CLI, {@code io.mirrorfs.cli.MirrorfsCli}) runs
 * beside it, started with {@code docker exec}, so the nemesis can kill -9 or SIGSTOP the mount alone.
 * The mount's output goes to {@code <data>/mount.log} in the run folder.
 *
 * <p>Removed with the run's other containers (by label); {@link #unmount} first ends the mount cleanly.
 */
public final class ClientContainer {
    public static final int AGENT_PORT = 7070;
    public static final String MOUNT_POINT = "/tmp/fs";
    private static final String MOUNT_PID_FILE = "/tmp/mount.pid";
    private static final String MOUNT_LOG = NodeContainer.DATA_IN_CONTAINER + "/mount.log";
    private static final String MOUNTED_LINE = "mirrorfs: mounted at";
    private static final String CLI_MAIN = "io.mirrorfs.cli.MirrorfsCli";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final NodeContainer container;
    private final Path hostDataDir;
    private final List<String> mountArgs;
    private int mountsStarted;

    private ClientContainer(NodeContainer container, Path hostDataDir, List<String> mountArgs) {
        this.container = container;
        this.hostDataDir = hostDataDir;
        this.mountArgs = List.copyOf(mountArgs);
    }

    /**
     * Creates and starts the container at {@code address} on {@code cluster}'s network and mounts
     * ({@code mirrorfs mount MOUNT_ARGS... /tmp/fs}), waiting for the agent's READY and the mount.
     *
     * @param agentClass the {@code FsAgent} (sub)class the agent serves with; null for the real one
     * @param sharedDirs host folders mounted at the same path (e.g. a {@code file://} object store)
     */
    public static ClientContainer start(ContainerCluster cluster, String id, int lastOctet, String agentClass,
                                        List<String> mountArgs, List<Path> sharedDirs) throws Exception {
        Path data = cluster.runDir().resolve("data").resolve(id);
        Files.createDirectories(data);
        MetaPeer address = new MetaPeer(id, cluster.address(lastOctet), AGENT_PORT);
        NodeContainer c = new NodeContainer(cluster.networkName() + "-" + id, address, data);
        Classpath classpath = Classpath.ofThisJvm().withSnapshotJarsCopiedTo(cluster.runDir().resolve("lib"));
        List<String> program = new ArrayList<>(List.of(FsAgentMain.class.getName(), id, Integer.toString(AGENT_PORT)));
        if (agentClass != null) {
            program.add(agentClass);
        }
        c.createRunning(cluster.networkName(), cluster.runLabel(), classpath, program, sharedDirs,
                // Not --privileged: this engine runs without every capability and refuses to grant them all.
                List.of("--cap-add", "SYS_ADMIN", "--device", "/dev/fuse", "--security-opt", "apparmor=unconfined"));
        ClientContainer client = new ClientContainer(c, data, mountArgs);
        c.start();
        Await.until(id + " agent to print READY", START_TIMEOUT, () -> {
            if (!c.running()) {
                throw new IllegalStateException(id + " exited: " + ContainerCluster.tail(c.allOutput(), 40));
            }
            return c.readyCount() >= 1;
        });
        client.mount();
        return client;
    }

    public NodeContainer node() {
        return container;
    }

    public String id() {
        return container.id();
    }

    public InetSocketAddress agentAddress() {
        return new InetSocketAddress(container.ip(), AGENT_PORT);
    }

    /** Starts {@code mirrorfs mount} and waits until it says it is mounted and the kernel lists the mount. */
    public void mount() throws Exception {
        container.exec("mkdir", "-p", MOUNT_POINT);
        List<String> program = new ArrayList<>(List.of(CLI_MAIN, "mount"));
        program.addAll(mountArgs);
        program.add(MOUNT_POINT);
        container.startJavaSideProgram(MOUNT_PID_FILE, MOUNT_LOG, "256m", program);
        int expected = ++mountsStarted;
        Await.until(id() + " to mount " + MOUNT_POINT, START_TIMEOUT, () -> {
            if (!mountProcessAlive()) {
                throw new IllegalStateException(id() + ": mirrorfs mount exited; its log:\n"
                        + ContainerCluster.tail(mountLog(), 30));
            }
            return mountedLines() >= expected && kernelHasMount();
        });
    }

    /** kill -9 of the mount process; the kernel's FUSE connection aborts (ENOTCONN) until {@link #remount}. */
    public void killMount() throws Exception {
        container.signalSideProgram(MOUNT_PID_FILE, "KILL");
        Await.until(id() + " mount process to die", STOP_TIMEOUT, () -> !mountProcessAlive());
    }

    /** SIGSTOP / SIGCONT of the mount process: syscalls on the mount block meanwhile. */
    public void pauseMount() throws Exception {
        container.signalSideProgram(MOUNT_PID_FILE, "STOP");
    }

    public void resumeMount() throws Exception {
        container.signalSideProgram(MOUNT_PID_FILE, "CONT");
    }

    /** After a kill: detaches the dead mount (lazy unmount) and mounts again. */
    public void remount() throws Exception {
        if (mountProcessAlive()) {
            return;
        }
        container.exec("/bin/sh", "-c", "fusermount -u -z " + MOUNT_POINT + " 2>/dev/null; true");
        mount();
    }

    /** Ends the mount cleanly (SIGTERM: the CLI unmounts), lazily unmounting if it does not. */
    public void unmount() throws Exception {
        if (!container.running()) {
            return;
        }
        if (mountProcessAlive()) {
            container.signalSideProgram(MOUNT_PID_FILE, "CONT"); // a stopped process cannot act on TERM
            container.signalSideProgram(MOUNT_PID_FILE, "TERM");
            try {
                Await.until(id() + " mount process to exit", STOP_TIMEOUT, () -> !mountProcessAlive());
            } catch (AssertionError slow) {
                container.signalSideProgram(MOUNT_PID_FILE, "KILL");
            }
        }
        container.exec("/bin/sh", "-c", "fusermount -u -z " + MOUNT_POINT + " 2>/dev/null; true");
    }

    public boolean mountProcessAlive() throws IOException, InterruptedException {
        return container.exec("/bin/sh", "-c",
                "if [ -f " + MOUNT_PID_FILE + " ] && kill -0 \"$(cat " + MOUNT_PID_FILE + ")\" 2>/dev/null; then echo yes; fi")
                .equals("yes");
    }

    private boolean kernelHasMount() throws IOException, InterruptedException {
        return container.exec("/bin/sh", "-c", "grep -c ' " + MOUNT_POINT + " fuse' /proc/mounts; true").trim()
                .matches("[1-9][0-9]*");
    }

    private int mountedLines() throws IOException {
        String log = mountLog();
        int n = 0;
        for (int i = log.indexOf(MOUNTED_LINE); i >= 0; i = log.indexOf(MOUNTED_LINE, i + 1)) {
            n++;
        }
        return n;
    }

    public String mountLog() throws IOException {
        Path log = hostDataDir.resolve("mount.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public String toString() {
        return "client " + container;
    }
}
