package io.mirrorfs.chaos.harness;

import io.mirrorfs.api.client.MetaPeer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One metadata node ({@code MetaServerMain}) in its own container on the run's docker network, with a
 * fixed IP so that the Raft peer list stays valid across kill/restart. Its data folder is a host
 * folder mounted at /data, so a container killed with SIGKILL and started again recovers from disk,
 * like a machine crash-restarting.
 */
public final class NodeContainer {
    static final String DATA_IN_CONTAINER = "/data";
    static final String JAVA = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
    private static final String SERVER_MAIN = "io.mirrorfs.meta.server.MetaServerMain";

    private final String containerName;
    private final MetaPeer peer;
    private final Path hostDataDir;
    /** The classpath the container's JVM runs with (set by create): side programs run with it too. */
    private Classpath classpath;

    NodeContainer(String containerName, MetaPeer peer, Path hostDataDir) {
        this.containerName = containerName;
        this.peer = peer;
        this.hostDataDir = hostDataDir;
    }

    public String id() {
        return peer.id();
    }

    public MetaPeer peer() {
        return peer;
    }

    public String ip() {
        return peer.host();
    }

    public String containerName() {
        return containerName;
    }

    /** {@code docker create} the container (not started), with everything it needs mounted. */
    void create(String network, String runLabel, Classpath classpath, String peerList, String groupName)
            throws IOException, InterruptedException {
        create(network, runLabel, classpath, peerList, groupName, List.of());
    }

    /** As {@link #create}, with more MetaServerMain options (a mirror node's, a primary's changelog mirrors). */
    void create(String network, String runLabel, Classpath classpath, String peerList, String groupName,
                List<String> extraServerArgs) throws IOException, InterruptedException {
        List<String> program = new ArrayList<>(List.of(SERVER_MAIN,
                "--id", peer.id(), "--peers", peerList, "--group", groupName, "--data", DATA_IN_CONTAINER));
        program.addAll(extraServerArgs);
        createRunning(network, runLabel, classpath, program, List.of());
    }

    /**
     * {@code docker create} of a container running {@code java MAIN ARGS...} (first element of
     * {@code program} is the main class) on this container's address, with {@code sharedDirs} host
     * folders mounted read-write at the same paths (so file:// store URIs mean the same inside and out).
     * The program must print {@code READY <id>} on stdout once serving.
     */
    void createRunning(String network, String runLabel, Classpath classpath, List<String> program, List<Path> sharedDirs)
            throws IOException, InterruptedException {
        createRunning(network, runLabel, classpath, program, sharedDirs, List.of());
    }

    /** As above, with more {@code docker create} options (e.g. a FUSE client's device and privileges). */
    void createRunning(String network, String runLabel, Classpath classpath, List<String> program, List<Path> sharedDirs,
                       List<String> extraDockerArgs) throws IOException, InterruptedException {
        this.classpath = classpath;
        List<String> args = new ArrayList<>(List.of("create", "--name", containerName,
                "--label", ContainerCluster.LABEL + "=" + runLabel,
                "--network", network, "--ip", peer.host(), "--hostname", peer.id(),
                // NET_ADMIN is not needed: nemeses enter the netns from the host with nsenter.
                "--tmpfs", "/tmp:exec",
                "-v", hostDataDir + ":" + DATA_IN_CONTAINER));
        for (String hostDir : List.of("/usr", "/lib", "/lib64", "/bin", "/etc")) {
            args.addAll(List.of("-v", hostDir + ":" + hostDir + ":ro"));
        }
        for (Path shared : sharedDirs) {
            args.addAll(List.of("-v", shared + ":" + shared));
        }
        for (Path root : classpath.mountRoots()) {
            args.addAll(List.of("-v", root + ":" + root + ":ro"));
        }
        args.addAll(extraDockerArgs);
        // Assertions on for mirrorfs's own code only by default: with Ratis's internal asserts on, one of
        // them (RetryCacheImpl$CacheEntry.updateResult) killed a deposed leader's state machine updater
        // after a pause (see chaos-tests/README.md). -Dchaos.node.ea=-ea turns them all on to reproduce it.
        String assertions = System.getProperty("chaos.node.ea", "-ea:io.mirrorfs...");
        args.add(LocalImage.NAME);
        args.addAll(javaCommand(assertions, "256m"));
        args.addAll(program);
        Docker.docker(args.toArray(String[]::new));
    }

    /** {@code java OPTIONS -cp CLASSPATH}, as every JVM in a chaos container starts. */
    List<String> javaCommand(String assertions, String heap) {
        if (classpath == null) {
            throw new IllegalStateException(containerName + " was not created by this harness");
        }
        return List.of(JAVA, assertions, "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-Djava.io.tmpdir=/tmp", "--enable-native-access=ALL-UNNAMED",
                "-cp", classpath.asArgument());
    }

    /**
     * Starts {@code java MAIN ARGS...} inside the running container, detached, as a side program next to
     * the container's own (a delay proxy, a FUSE mount). Its PID goes to {@code pidFile} (inside the
     * container) so that it can be signalled later, its output to {@code logFile}.
     */
    public void startJavaSideProgram(String pidFile, String logFile, String heap, List<String> program)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(javaCommand("-ea:io.mirrorfs...", heap));
        command.addAll(program);
        StringBuilder quoted = new StringBuilder();
        for (String word : command) {
            quoted.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        // exec keeps the PID written by the shell: it becomes the JVM's.
        Docker.docker("exec", "-d", containerName, "/bin/sh", "-c",
                "echo $$ > " + pidFile + "; exec" + quoted + " >> " + logFile + " 2>&1");
    }

    /** Sends {@code signal} (KILL, STOP, CONT, TERM) to the side program whose PID is in {@code pidFile}. */
    public void signalSideProgram(String pidFile, String signal) throws IOException, InterruptedException {
        Docker.docker("exec", containerName, "/bin/sh", "-c", "kill -" + signal + " \"$(cat " + pidFile + ")\"");
    }

    /** Runs a command inside the container; returns its stdout. */
    public String exec(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("exec", containerName));
        args.addAll(List.of(command));
        return Docker.docker(args.toArray(String[]::new));
    }

    public void start() throws IOException, InterruptedException {
        Docker.docker("start", containerName);
    }

    /** SIGKILL to the node's JVM (the container's init): no shutdown hook runs. */
    public void kill9() throws IOException, InterruptedException {
        Docker.docker("kill", "--signal", "KILL", containerName);
        Docker.docker("wait", containerName);
    }

    /** Freezes every process of the container (cgroup freezer): the node neither runs nor answers. */
    public void pause() throws IOException, InterruptedException {
        Docker.docker("pause", containerName);
    }

    public void unpause() throws IOException, InterruptedException {
        Docker.docker("unpause", containerName);
    }

    public String state() throws IOException, InterruptedException {
        return Docker.docker("inspect", "--format", "{{.State.Status}}", containerName);
    }

    public boolean running() throws IOException, InterruptedException {
        return state().equals("running");
    }

    /** The host PID of the container's init, whose network namespace is the node's. */
    public long pid() throws IOException, InterruptedException {
        long pid = Long.parseLong(Docker.docker("inspect", "--format", "{{.State.Pid}}", containerName));
        if (pid <= 0) {
            throw new IOException(containerName + " is not running (pid " + pid + ")");
        }
        return pid;
    }

    /** The node's stdout (READY lines). */
    public String logs() throws IOException, InterruptedException {
        // The node logs to stderr a lot; polling for READY only needs stdout.
        return Docker.run(List.of("sh", "-c", "docker logs " + containerName + " 2>/dev/null"),
                java.time.Duration.ofSeconds(60), null);
    }

    /** stdout and stderr interleaved, for the run folder. */
    public String allOutput() throws IOException, InterruptedException {
        return Docker.run(List.of("sh", "-c", "docker logs " + containerName + " 2>&1"), java.time.Duration.ofSeconds(60), null);
    }

    /** How many times this container printed READY (one per successful start). */
    int readyCount() throws IOException, InterruptedException {
        String logs = logs();
        int n = 0;
        for (int i = logs.indexOf("READY " + peer.id()); i >= 0; i = logs.indexOf("READY " + peer.id(), i + 1)) {
            n++;
        }
        return n;
    }

    @Override
    public String toString() {
        return peer.id() + "@" + peer.host() + " (" + containerName + ")";
    }
}
