package io.mirrorfs.client.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts a {@link MirrorFuseFs} with libfuse2 (multithreaded loop) and unmounts it. Mounting waits,
 * with a deadline, until the kernel lists the mount; unmounting shells out to {@code fusermount -u -z}
 * like jnr-fuse does and waits until the mount is gone.
 */
public final class FuseMount implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FuseMount.class);
    private static final long MOUNT_WAIT_MILLIS_MAX = 20_000;

    /**
     * Options measured on this project's machine kind: libfuse2 cannot negotiate writes above 128 KiB
     * (max_pages is a libfuse3 feature), so max_write/max_read stay at 128 KiB with big_writes.
     */
    public record Options(double attrTimeoutSeconds, double entryTimeoutSeconds, boolean allowOther, boolean debug,
                          String fsName) {
        public static Options defaults(String volume) {
            return new Options(1.0, 1.0, isRoot(), false, "mirrorfs:" + volume);
        }

        public Options withTimeouts(double attrSeconds, double entrySeconds) {
            return new Options(attrSeconds, entrySeconds, allowOther, debug, fsName);
        }

        List<String> fuseArgs() {
            List<String> opts = new ArrayList<>(List.of(
                    "big_writes",
                    "max_write=" + MirrorFuseFs.IO_BLOCK_BYTES,
                    "max_read=" + MirrorFuseFs.IO_BLOCK_BYTES,
                    "max_readahead=" + (1 << 20),
                    "use_ino",
                    "readdir_ino",
                    // The kernel checks permissions against our attributes, as a local filesystem would;
                    // the metadata server checks again with the caller's ids at apply time.
                    "default_permissions",
                    "attr_timeout=" + attrTimeoutSeconds,
                    "entry_timeout=" + entryTimeoutSeconds,
                    "negative_timeout=0",
                    "fsname=" + fsName.replace(",", "_"),
                    "subtype=mirrorfs"));
            if (allowOther) {
                opts.add("allow_other");
            }
            return List.of("-o", String.join(",", opts));
        }
    }

    private final MirrorFuseFs fs;
    private final Path mountPoint;
    private boolean mounted;

    private FuseMount(MirrorFuseFs fs, Path mountPoint) {
        this.fs = fs;
        this.mountPoint = mountPoint;
    }

    public static FuseMount mount(MirrorFuseFs fs, Path mountPoint, Options options) throws IOException {
        Path target = mountPoint.toAbsolutePath().normalize();
        Files.createDirectories(target);
        if (isMounted(target)) {
            throw new IOException(target + " is already a mount point; unmount it first (fusermount -u " + target + ")");
        }
        FuseMount m = new FuseMount(fs, target);
        fs.mount(target, false, options.debug(), options.fuseArgs().toArray(String[]::new));
        m.mounted = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MOUNT_WAIT_MILLIS_MAX);
        while (!isMounted(target)) {
            if (System.nanoTime() - deadline > 0) {
                m.close();
                throw new IOException("FUSE mount at " + target + " did not appear within " + MOUNT_WAIT_MILLIS_MAX + " ms");
            }
            pause();
        }
        try {
            if (!fs.initialized.await(MOUNT_WAIT_MILLIS_MAX, TimeUnit.MILLISECONDS)) {
                m.close();
                throw new IOException("FUSE loop at " + target + " did not start within " + MOUNT_WAIT_MILLIS_MAX + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            m.close();
            throw new IOException("interrupted while mounting " + target, e);
        }
        log.info("mounted at {}", target);
        return m;
    }

    /**
     * libfuse's loop installs its own SIGINT/SIGTERM/SIGHUP handlers, which only stop the loop and
     * hide the signal from the JVM, so shutdown hooks would never run. Re-installs JVM handlers that
     * exit the process normally (running the hooks that unmount and stop cleanly). Call after mount.
     */
    @SuppressWarnings("removal")
    public static void exitOnSignals() {
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                Thread exit = new Thread(() -> System.exit(128 + sig.getNumber()), "mirrorfs-signal-" + name);
                exit.start();
            });
        }
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** Whether the kernel lists a FUSE mount at this path. */
    public static boolean isMounted(Path path) throws IOException {
        String p = path.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[1].replace("\\040", " ").equals(p) && f[2].startsWith("fuse")) {
                return true;
            }
        }
        return false;
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(20); // polling a condition with a deadline, not waiting for things to settle
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the mount", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (!mounted) {
            return;
        }
        mounted = false;
        fs.umount();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MOUNT_WAIT_MILLIS_MAX);
        while (isMounted(mountPoint)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("FUSE mount at " + mountPoint + " still present after unmount");
            }
            pause();
        }
        log.info("unmounted {}", mountPoint);
    }

    static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
