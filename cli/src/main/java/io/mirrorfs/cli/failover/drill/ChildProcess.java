package io.mirrorfs.cli.failover.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code mirrorfs} command (a metadata node, a sync service) run as a child JVM with the same
 * JDK and classpath as this one, its output in LOGDIR/NAME.log. Faults are real signals to its pid:
 * SIGKILL, SIGSTOP/SIGCONT. Only processes started here are ever signalled.
 */
public final class ChildProcess implements AutoCloseable {
    static final long STOP_MILLIS_MAX = 30_000;

    private final String name;
    private final List<String> command;
    private final Path log;
    private Process process;
    private boolean stopped;

    private ChildProcess(String name, List<String> command, Path log) {
        this.name = name;
        this.command = command;
        this.log = log;
    }

    /** Starts {@code mirrorfs ARGS} as a child JVM. */
    public static ChildProcess start(String name, Path logDir, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-ea:io.mirrorfs...", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath(), "io.mirrorfs.cli.MirrorfsCli"));
        command.addAll(args);
        ChildProcess child = new ChildProcess(name, List.copyOf(command), logDir.resolve(name + ".log"));
        child.launch();
        return child;
    }

    private void launch() throws IOException {
        Files.createDirectories(log.getParent());
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        stopped = false;
    }

    /** Surefire puts a manifest-only jar on java.class.path and the real path in this property. */
    static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: no shutdown hook, no flush; what is on disk is what survives. */
    public void kill9() throws InterruptedException, IOException {
        process.destroyForcibly();
        if (!process.waitFor(STOP_MILLIS_MAX, TimeUnit.MILLISECONDS)) {
            throw new IOException(name + " (pid " + pid() + ") still alive " + STOP_MILLIS_MAX + " ms after SIGKILL");
        }
    }

    /** SIGSTOP: the process keeps its sockets open but answers nothing, like a partitioned host. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
        stopped = true;
    }

    public void resume() throws IOException, InterruptedException {
        signal("CONT");
        stopped = false;
    }

    /** Starts the same command again (after {@link #kill9}), appending to the same log. */
    public void restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch();
    }

    private void signal(String sig) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IOException("kill -" + sig + " " + pid() + " (" + name + ") failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Ends the process for good: resumed first if paused (a stopped process ignores SIGTERM). */
    @Override
    public void close() throws IOException, InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        if (stopped) {
            resume();
        }
        process.destroy();
        if (!process.waitFor(STOP_MILLIS_MAX, TimeUnit.MILLISECONDS)) {
            kill9();
        }
    }
}
