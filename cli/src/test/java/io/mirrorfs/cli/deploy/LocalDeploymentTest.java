package io.mirrorfs.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/local/mirrorfs-local} on the real parts: the script starts the three regions of the
 * example topology (ports and store folders replaced by fresh ones) as real processes — five
 * metadata JVMs with Ratis and RocksDB, two sync services — formats the volume and waits for every
 * region; a primary and a mirror region are mounted with FUSE; a file written on the primary is read
 * on the mirror; {@code down} must leave no process and no mount. The CLI runs from the test
 * classpath through a small wrapper ({@code MIRRORFS}), so nothing is built. Cleanup (unmount, stop)
 * runs even when an assertion failed.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class LocalDeploymentTest {
    private static final Path LOCAL = DeployTree.repoRoot().resolve("deploy/local");
    private static final Path SCRIPT = LOCAL.resolve("mirrorfs-local");
    private static final Path EXAMPLE = LOCAL.resolve("topology.example.yaml");
    private static final String EXAMPLE_STORE_ROOT = "file:///tmp/mirrorfs-local/";
    private static final long UP_SECONDS_MAX = 600;   // 7 JVMs, 3 elections, a format on a loaded 2-core box
    private static final long DOWN_SECONDS_MAX = 120;
    private static final long MOUNT_MILLIS_MAX = 180_000;
    private static final long REPLICATION_MILLIS_MAX = 120_000;
    private static final long POLL_MILLIS = 100;
    private static final int SIGTERM_EXIT = 128 + 15;

    // Kept when a test fails: the processes' logs are in it (mounts are unmounted by then).
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp;
    private final List<MountProcess> mounts = new ArrayList<>();
    private Path base;
    private Path wrapper;

    @AfterEach
    void cleanUp() throws Exception {
        for (MountProcess m : mounts) {
            m.close();
        }
        if (base == null || !Files.isDirectory(base.resolve("run"))) {
            return;
        }
        List<Long> pids = recordedPids();
        if (pids.stream().anyMatch(LocalDeploymentTest::alive)) {
            script(DOWN_SECONDS_MAX, "down", base.toString()); // best effort; the kill below is the backstop
        }
        for (long pid : pids) {
            // Only processes of this test's deployment: their command line names its topology file.
            ProcessHandle.of(pid).filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains(topologyFile().toString()))
                    .orElse(false)).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void upMountsAMirrorRegionAndDownStopsEverything() throws Exception {
        Path topology = generatedTopology();
        base = tmp.resolve("base");
        wrapper = cliWrapper();

        Outcome up = script(UP_SECONDS_MAX, "up", topology.toString(), base.toString());

        assertThat(up.exitCode()).as("`up` exit code; output:\n%s", up.output()).isZero();
        assertThat(up.output()).contains("mount --topology " + topologyFile() + " --region local-b --consistency session");
        assertThat(Files.readString(topologyFile())).as("the pinned topology").isEqualTo(Files.readString(topology));
        List<Long> pids = recordedPids();
        assertThat(pids).as("3 + 1 + 1 metadata nodes and 2 sync services").hasSize(7);
        assertThat(pids).allMatch(LocalDeploymentTest::alive, "alive after up");

        Path primaryMount = base.resolve("mnt/local-a");
        Path mirrorMount = base.resolve("mnt/local-b");
        MountProcess primary = mount("local-a", primaryMount);
        MountProcess mirror = mount("local-b", mirrorMount, "--consistency", "session");
        byte[] content = new byte[(1 << 20) + 4_321];
        new Random(8).nextBytes(content);
        try {
            Files.createDirectories(primaryMount.resolve("drill"));
            Files.write(primaryMount.resolve("drill/written-on-a.bin"), content);
        } catch (IOException e) {
            throw new AssertionError("write through the local-a mount failed; its stderr:\n" + primary.stderrTail(), e);
        }

        assertThat(awaitFile(mirrorMount.resolve("drill/written-on-a.bin"), content.length))
                .as("the file written on local-a, read on local-b").isEqualTo(content);

        mirror.stopCleanly();
        primary.stopCleanly();
        Outcome down = script(DOWN_SECONDS_MAX, "down", base.toString());
        assertThat(down.exitCode()).as("`down` exit code; output:\n%s", down.output()).isZero();
        assertThat(pids).as("processes left after down").noneMatch(LocalDeploymentTest::alive);
        assertThat(fuseMountsUnder(tmp)).as("mounts left").isEmpty();
        try (Stream<Path> left = Files.walk(base.resolve("run"))) {
            assertThat(left.filter(p -> p.toString().endsWith(".pid"))).as("PID files left").isEmpty();
        }
    }

    @Test
    void upRefusesAnInvalidTopologyAndStartsNothing() throws Exception {
        // A misspelt key: the project's strict loader must reject it, naming the field.
        Path topology = Files.writeString(tmp.resolve("bad.yaml"),
                Files.readString(generatedTopology()).replaceFirst("sync:", "sycn:"));
        base = tmp.resolve("base");
        wrapper = cliWrapper();

        Outcome up = script(120, "up", topology.toString(), base.toString());

        assertThat(up.exitCode()).isNotZero();
        assertThat(up.output()).contains("sycn").contains("invalid topology file").contains("nothing started");
        assertThat(base).as("BASE: nothing created").doesNotExist();
    }

    private static final String TLS_FLAG = " --tls-dir /etc/mirrorfs/tls";

    @Test
    void theLocalUnitsRunTheCloudUnitsCommands() throws IOException {
        Path cloud = DeployTree.terraformDir().resolve("modules/node-bootstrap/templates");
        for (String service : List.of("meta", "sync")) {
            String cloudCommand = execStartArguments(cloud.resolve("mirrorfs-" + service + ".service"))
                    .replace("/etc/mirrorfs/topology.yaml", "TOPOLOGY");
            // Cloud nodes always speak mutual TLS with the material cloud-init installs; the loopback
            // rehearsal runs plaintext (deploy/local/README.md), otherwise the commands are the same.
            assertThat(cloudCommand).as(service).endsWith(TLS_FLAG);
            cloudCommand = cloudCommand.substring(0, cloudCommand.length() - TLS_FLAG.length());
            String localCommand = execStartArguments(LOCAL.resolve("systemd/mirrorfs-" + service + "@.service"))
                    .replace("%E/mirrorfs/local/topology.yaml", "TOPOLOGY");
            assertThat(localCommand).as(service).isEqualTo(cloudCommand).startsWith(service + " start --topology TOPOLOGY --region ");
        }
    }

    @Test
    void theExampleTopologyIsValid() throws Exception {
        Topology example = Topology.load(EXAMPLE);
        assertThat(example.primary().name()).isEqualTo("local-a");
        assertThat(example.primary().meta()).hasSize(3);
        assertThat(example.mirrors()).extracting(Region::name).containsExactly("local-b", "local-c");
        assertThat(example.mirrors()).allSatisfy(r -> assertThat(r.sync()).isPresent());
        assertThat(example.primary().sync()).as("the script starts sync services on mirrors only").isEmpty();
        assertThat(example.regions()).allSatisfy(r -> assertThat(r.storeUri()).startsWith(EXAMPLE_STORE_ROOT));
    }

    /** What follows the launcher in a unit's ExecStart: "meta start --topology ...". */
    private static String execStartArguments(Path unit) throws IOException {
        String line = Files.readAllLines(unit).stream().filter(l -> l.startsWith("ExecStart=")).findFirst()
                .orElseThrow(() -> new AssertionError(unit + " has no ExecStart"));
        Matcher m = Pattern.compile("mirrorfs (\\w+ start .*)$|\\$MIRRORFS (\\w+ start .*)$").matcher(line);
        assertThat(m.find()).as("%s: %s", unit, line).isTrue();
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    // --- the deployment ----------------------------------------------------------------------------------

    private Path topologyFile() {
        return base.resolve("topology.yaml");
    }

    /** The example with every port replaced by a free one (its successor free too) and stores under tmp. */
    private Path generatedTopology() throws Exception {
        String text = Files.readString(EXAMPLE);
        Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(text);
        StringBuilder out = new StringBuilder();
        Set<Integer> taken = new HashSet<>();
        while (m.find()) {
            m.appendReplacement(out, "127.0.0.1:" + freePortPair(taken));
        }
        m.appendTail(out);
        String yaml = out.toString().replace(EXAMPLE_STORE_ROOT, tmp.toUri().toString());
        Path file = Files.writeString(tmp.resolve("topology.yaml"), yaml);
        Topology topology = Topology.load(file); // the generated file must stay valid for the project's loader
        assertThat(topology.regions()).hasSize(3);
        return file;
    }

    /** A port P with P + 1 free too, neither handed out before in this test. */
    private static int freePortPair(Set<Integer> taken) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = first.getLocalPort();
                if (port >= 65534 || taken.contains(port) || taken.contains(port + 1)) {
                    continue;
                }
                try (ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                    taken.add(port);
                    taken.add(port + 1);
                    return port;
                } catch (IOException inUse) {
                    // port + 1 is taken: try another pair
                }
            }
        }
        throw new IOException("no free pair of adjacent loopback ports after 100 attempts");
    }

    /** The `mirrorfs` launcher the script runs: the test's JDK and classpath, so nothing is built. */
    private Path cliWrapper() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // As ./mirrorfs: Netty's sun.misc.Unsafe use warns on every start from JDK 23 on.
        String unsafe = Runtime.version().feature() >= 23 ? " --sun-misc-unsafe-memory-access=allow" : "";
        String script = "#!/bin/sh\n"
                + "# MIRRORFS_JAVA_OPTS is split into words on purpose, as in ./mirrorfs.\n"
                + "exec '" + java + "' -ea:io.mirrorfs... --enable-native-access=ALL-UNNAMED" + unsafe + " $MIRRORFS_JAVA_OPTS"
                + " -cp '" + testClasspath() + "' io.mirrorfs.cli.MirrorfsCli \"$@\"\n";
        Path file = Files.writeString(tmp.resolve("mirrorfs"), script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** Surefire puts a manifest-only jar on java.class.path and the real path in this property. */
    private static String testClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        String path = cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
        assertThat(path).as("classpath usable in a single-quoted shell word").doesNotContain("'");
        return path;
    }

    private record Outcome(int exitCode, String output) {}

    /** Runs the script with the wrapper as MIRRORFS; output (both streams) in a file, bounded wait. */
    private Outcome script(long secondsMax, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        Path log = tmp.resolve("script-" + args[0] + "-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("MIRRORFS", wrapper.toString());
        env.put("MIRRORFS_LOCAL_START_SECONDS", Long.toString(secondsMax - 30));
        Process p = pb.start();
        if (!p.waitFor(secondsMax, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mirrorfs-local " + String.join(" ", args) + " did not finish within " + secondsMax
                    + " s; output:\n" + Files.readString(log));
        }
        return new Outcome(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private List<Long> recordedPids() throws IOException {
        try (Stream<Path> files = Files.walk(base.resolve("run"))) {
            List<Path> pidFiles = files.filter(p -> p.toString().endsWith(".pid")).toList();
            List<Long> pids = new ArrayList<>();
            for (Path f : pidFiles) {
                pids.add(Long.parseLong(Files.readString(f).trim()));
            }
            return pids;
        }
    }

    /**
     * Whether PID is a live process. Not ProcessHandle.isAlive: the script's processes are orphans once
     * `up` exits, so an exited one stays a zombie until init reaps it, and isAlive counts zombies.
     */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException gone) {
            return false;
        }
    }

    private MountProcess mount(String region, Path mountPoint, String... extra) throws Exception {
        Files.createDirectories(mountPoint);
        List<String> command = new ArrayList<>(List.of(wrapper.toString(), "mount", "--topology", topologyFile().toString(),
                "--region", region, "--cache-size-mib", "64"));
        command.addAll(List.of(extra));
        command.add(mountPoint.toString());
        MountProcess m = MountProcess.start(command, tmp.resolve("mount-" + region), mountPoint);
        mounts.add(m);
        m.awaitMounted();
        return m;
    }

    /** Polls PATH until it has LENGTH bytes (replication is asynchronous); returns its content. */
    private static byte[] awaitFile(Path path, int length) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLICATION_MILLIS_MAX);
        while (true) {
            Optional<byte[]> read = readIfComplete(path, length);
            if (read.isPresent()) {
                return read.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(path + " not readable with " + length + " bytes within " + REPLICATION_MILLIS_MAX + " ms");
            }
            Thread.sleep(POLL_MILLIS); // polling a condition with a deadline
        }
    }

    private static Optional<byte[]> readIfComplete(Path path, int length) throws IOException {
        if (!Files.exists(path) || Files.size(path) != length) {
            return Optional.empty();
        }
        return Optional.of(Files.readAllBytes(path));
    }

    private static List<String> fuseMountsUnder(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        return Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 2 && f[2].startsWith("fuse") && f[1].replace("\\040", " ").startsWith(prefix))
                .map(f -> f[1]).toList();
    }

    /** One `mirrorfs mount` process; close() ends it and lazily unmounts, whatever happened before. */
    private static final class MountProcess implements AutoCloseable {
        private final Process process;
        private final Path stdout;
        private final Path stderr;
        private final Path mountPoint;

        private MountProcess(Process process, Path stdout, Path stderr, Path mountPoint) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
            this.mountPoint = mountPoint;
        }

        static MountProcess start(List<String> command, Path logPrefix, Path mountPoint) throws IOException {
            Path out = Path.of(logPrefix + ".out");
            Path err = Path.of(logPrefix + ".err");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new MountProcess(p, out, err, mountPoint);
        }

        void awaitMounted() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MOUNT_MILLIS_MAX);
            while (!Files.readString(stdout).contains("mounted at")) {
                if (!process.isAlive()) {
                    throw new AssertionError("mount exited with " + process.exitValue() + "; stderr:\n" + Files.readString(stderr));
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("not mounted within " + MOUNT_MILLIS_MAX + " ms; stderr:\n" + Files.readString(stderr));
                }
                Thread.sleep(POLL_MILLIS); // polling a condition with a deadline
            }
            assertThat(fuseMountsUnder(mountPoint.getParent())).contains(mountPoint.toString());
        }

        String stderrTail() throws IOException {
            List<String> lines = Files.readAllLines(stderr);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }

        void stopCleanly() throws IOException, InterruptedException {
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("mount stopped within 60 s of SIGTERM").isTrue();
            String err = Files.readString(stderr);
            assertThat(process.exitValue()).as("mount exit code; stderr:\n%s", err).isEqualTo(SIGTERM_EXIT);
            assertThat(err).contains("unmounted").doesNotContain("unmount failed");
            assertThat(fuseMountsUnder(mountPoint.getParent())).doesNotContain(mountPoint.toString());
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(60, TimeUnit.SECONDS);
            }
            if (fuseMountsUnder(mountPoint.getParent()).contains(mountPoint.toString())) {
                Process u = new ProcessBuilder("fusermount", "-u", "-z", mountPoint.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!u.waitFor(30, TimeUnit.SECONDS)) {
                    u.destroyForcibly();
                    throw new IOException("fusermount -u -z " + mountPoint + " hung");
                }
            }
        }
    }
}
