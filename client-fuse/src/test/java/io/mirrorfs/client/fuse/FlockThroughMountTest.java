package io.mirrorfs.client.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.client.testing.EngineMetadata;
import io.mirrorfs.client.testing.MemoryStore;
import io.mirrorfs.client.testing.TestMount;
import io.mirrorfs.client.vfs.VfsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * flock(2) through a real mount between two real processes (util-linux {@code flock}): while one
 * holds an exclusive lock a non-blocking attempt fails; when the holder dies its lock goes with it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FlockThroughMountTest {
    private static final long WAIT_MILLIS_MAX = 60_000;
    @TempDir Path tmp;

    @Test
    void anExclusiveFlockExcludesAnotherProcessUntilItsHolderExits() throws Exception {
        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", 64 * 1024);
             TestMount m = TestMount.of(meta, new MemoryStore(), tmp, "mnt", VfsConfig.defaults(), 1.0)) {
            Path file = m.path("lockfile");
            Files.writeString(file, "x");
            // -o: the command does not inherit the locked descriptor, so ending flock releases the lock.
            Process holder = new ProcessBuilder("flock", "-x", "-o", file.toString(), "sleep", "150")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                awaitTryLock(file, 1, "the holder's lock to be taken");
                assertThat(tryLock(file)).as("non-blocking flock while another process holds it").isEqualTo(1);
            } finally {
                holder.descendants().forEach(ProcessHandle::destroy);
                holder.destroy();
                assertThat(holder.waitFor(WAIT_MILLIS_MAX, TimeUnit.MILLISECONDS)).as("holder ended").isTrue();
            }
            awaitTryLock(file, 0, "the lock to be released with its holder");
        }
    }

    /** Exit code of {@code flock -n -x FILE true}: 0 = got the lock, 1 = held by someone else. */
    private static int tryLock(Path file) throws Exception {
        Process p = new ProcessBuilder("flock", "-n", "-x", file.toString(), "true")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(WAIT_MILLIS_MAX, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("flock -n did not return");
        }
        return p.exitValue();
    }

    private static void awaitTryLock(Path file, int expectedExit, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS_MAX);
        while (tryLock(file) != expectedExit) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50); // polling a condition with a deadline
        }
    }
}
