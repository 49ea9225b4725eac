package io.mirrorfs.client.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.net.LoopbackPorts;
import io.mirrorfs.api.proto.LockKind;
import io.mirrorfs.api.proto.LockType;
import io.mirrorfs.client.FsException;
import io.mirrorfs.client.meta.SessionKeeper;
import io.mirrorfs.client.testing.FaultyMetadataClient;
import io.mirrorfs.client.testing.MemoryStore;
import io.mirrorfs.client.testing.TestMount;
import io.mirrorfs.client.vfs.Ctx;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Client sessions end to end: a real one-node metadata group in this JVM (its leader runs the session
 * expirer) and two real FUSE mounts of one volume. A mount that dies holding a lock (its metadata
 * client cut: no CloseSession, no more heartbeats) loses the lock to the other mount once its TTL has
 * passed; a clean unmount releases its locks at once; a mount cut off past its TTL gets a new session
 * and warns that its old locks were released; a mount that has no session takes no lock until it has
 * one. Every wait is a condition with a deadline.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SessionLocksTest {
    private static final Duration SHORT_TTL = Duration.ofSeconds(2);
    private static final Duration WAIT_MAX = Duration.ofSeconds(30);
    private static final Ctx CALLER = new Ctx(0, 0, 022, 4242);

    @TempDir
    Path tmp;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private MetaGroup group;
    private final MemoryStore store = new MemoryStore();

    @BeforeEach
    void startGroup() throws Exception {
        group = MetaGroup.parse("sessions-" + System.nanoTime(), "n1=127.0.0.1:" + LoopbackPorts.freePortPair());
        toClose.push(MetaServer.start(new MetaServerConfig("n1", group, tmp.resolve("meta"))));
        try (RaftMetadataClient admin = RaftMetadataClient.connect(group)) {
            assertThat(admin.mutate(MetaOps.format(new RequestIds().next(), "vol", "mem://test", 0))
                    .get(WAIT_MAX.toSeconds(), TimeUnit.SECONDS).getErrno()).isZero();
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        Exception failure = null;
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Test
    void aDeadMountsLockGoesToAnotherMountAfterItsTtl() throws Exception {
        FaultyMetadataClient clientA = client();
        TestMount a = mount("a", clientA, SHORT_TTL);
        TestMount b = mount("b", client(), SHORT_TTL);
        long inode = lockFile(a);
        assertThat(tryLock(a, inode, 1)).as("A takes the lock").isTrue();
        assertThat(tryLock(b, inode, 2)).as("B while A holds it").isFalse();

        long cutAt = System.nanoTime();
        clientA.cut(); // A "dies": no CloseSession, no heartbeat from now on
        awaitTrue("B to get the dead mount's lock", () -> tryLock(b, inode, 2));
        long afterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
        // A's last heartbeat was at most a third of the TTL before the cut, so the server cannot have
        // expired the session sooner than two thirds of the TTL after it.
        assertThat(afterMillis).as("released by expiry, not at once").isGreaterThanOrEqualTo(SHORT_TTL.toMillis() * 2 / 3);
    }

    @Test
    void aCleanUnmountReleasesItsLocksAtOnce() throws Exception {
        // A TTL far longer than the test: only the CloseSession of the unmount can free the lock in time.
        TestMount a = mount("a", client(), Duration.ofMinutes(10));
        TestMount b = mount("b", client(), Duration.ofMinutes(10));
        long inode = lockFile(a);
        assertThat(a.volume.vfs().sessionId()).as("A has a session").isPositive();
        assertThat(tryLock(a, inode, 1)).isTrue();
        assertThat(tryLock(b, inode, 2)).isFalse();
        toClose.remove(a);
        a.close();
        assertThat(tryLock(b, inode, 2)).as("B right after A's unmount returned").isTrue();
    }

    @Test
    void aMountCutOffPastItsTtlGetsANewSessionAndWarnsThatItsLocksWereReleased() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger keeperLog = (Logger) LoggerFactory.getLogger(SessionKeeper.class);
        logs.start();
        keeperLog.addAppender(logs);
        try {
            FaultyMetadataClient clientA = client();
            TestMount a = mount("a", clientA, SHORT_TTL);
            TestMount b = mount("b", client(), SHORT_TTL);
            long inode = lockFile(a);
            long firstSession = a.volume.vfs().sessionId();
            assertThat(tryLock(a, inode, 1)).isTrue();

            clientA.dropHeartbeats(true);
            awaitTrue("B to get the lock of A's expired session", () -> tryLock(b, inode, 2));
            clientA.dropHeartbeats(false);
            awaitTrue("A to open a new session", () -> a.volume.vfs().sessionId() != firstSession
                    && a.volume.vfs().sessionId() != 0);

            assertThat(tryLock(a, inode, 1)).as("A's old lock is gone and B holds it now").isFalse();
            Files.writeString(a.path("other"), "y");
            long other = a.volume.vfs().resolve(CALLER, "/other");
            assertThat(tryLock(a, other, 1)).as("A locks in its new session").isTrue();
            assertThat(logs.list).as("the keeper's warning")
                    .anySatisfy(e -> {
                        assertThat(e.getLevel()).isEqualTo(Level.WARN);
                        assertThat(e.getFormattedMessage()).contains("session " + firstSession)
                                .contains("expired").contains("may be stale");
                    });
        } finally {
            keeperLog.detachAppender(logs);
        }
    }

    /**
     * A mount that could not open its session at mount (its sessions live on a primary it cannot
     * reach) never takes a lock in session 0: the lock is refused with ENOLCK and a log line while no
     * session can be opened, and nothing is held on the server. Once the primary answers, the next
     * lock opens the session first, and that lock goes with the session when the mount dies.
     */
    @Test
    void aMountWithoutASessionTakesNoLockUntilItHasOneAndThenItsLockExpiresLikeAnyOther() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger vfsLog = (Logger) LoggerFactory.getLogger(io.mirrorfs.client.vfs.Vfs.class);
        logs.start();
        vfsLog.addAppender(logs);
        try {
            FaultyMetadataClient clientA = client();
            clientA.dropSessionOpens(true);
            TestMount a = mount("a", clientA, SHORT_TTL);
            TestMount b = mount("b", client(), SHORT_TTL);
            assertThat(a.volume.vfs().sessionId()).as("A mounted without a session").isZero();
            long inode = lockFile(a);

            assertThatThrownBy(() -> tryLock(a, inode, 1)).as("a lock with no session to take it in")
                    .isInstanceOf(FsException.class)
                    .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.ENOLCK));
            assertThat(logs.list).as("the reason, logged").anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains("ENOLCK").contains("no metadata session");
            });
            assertThat(tryLock(b, inode, 2)).as("A holds nothing on the server").isTrue();
            unlock(b, inode, 2);

            clientA.dropSessionOpens(false);
            assertThat(tryLock(a, inode, 1)).as("A's lock, once a session can be opened").isTrue();
            assertThat(a.volume.vfs().sessionId()).as("the lock went out in a session").isPositive();
            assertThat(tryLock(b, inode, 2)).isFalse();

            clientA.cut(); // A dies holding the lock
            awaitTrue("B to get the dead mount's lock after its session expired", () -> tryLock(b, inode, 2));
        } finally {
            vfsLog.detachAppender(logs);
        }
    }

    @Test
    void aLockTakenAfterALateSessionOpenIsReleasedByTheUnmount() throws Exception {
        FaultyMetadataClient clientA = client();
        clientA.dropSessionOpens(true);
        TestMount a = mount("a", clientA, Duration.ofMinutes(10)); // expiry cannot free it within the test
        TestMount b = mount("b", client(), Duration.ofMinutes(10));
        assertThat(a.volume.vfs().sessionId()).isZero();
        long inode = lockFile(a);
        clientA.dropSessionOpens(false);
        assertThat(tryLock(a, inode, 1)).isTrue();
        assertThat(tryLock(b, inode, 2)).isFalse();
        toClose.remove(a);
        a.close();
        assertThat(tryLock(b, inode, 2)).as("B right after A's unmount returned").isTrue();
    }

    private static void unlock(TestMount m, long inode, long owner) throws FsException {
        m.volume.vfs().lock(CALLER, inode, LockKind.FLOCK, LockType.UNLOCK, 0, -1, owner, false);
    }

    private FaultyMetadataClient client() {
        FaultyMetadataClient c = new FaultyMetadataClient(RaftMetadataClient.connect(group));
        toClose.push(c);
        return c;
    }

    private TestMount mount(String name, MetadataClient client, Duration sessionTtl) throws Exception {
        VfsConfig config = VfsConfig.defaults().withTtlMillis(0, 0).withSessionTtl(sessionTtl);
        TestMount m = TestMount.of(client, store, tmp, name, config, 0.0);
        toClose.push(m);
        return m;
    }

    /** Creates the file through the mount (the kernel path) and returns its inode. */
    private static long lockFile(TestMount m) throws Exception {
        Files.writeString(m.path("lockfile"), "x");
        return m.volume.vfs().resolve(CALLER, "/lockfile");
    }

    /** A non-blocking exclusive flock by {@code owner} through the mount's VFS: true = taken. */
    private static boolean tryLock(TestMount m, long inode, long owner) throws FsException {
        try {
            m.volume.vfs().lock(CALLER, inode, LockKind.FLOCK, LockType.WRITE, 0, -1, owner, false);
            return true;
        } catch (FsException e) {
            if (e.errno() == Errno.EAGAIN) {
                return false;
            }
            throw e;
        }
    }

    private static void awaitTrue(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT_MAX.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + WAIT_MAX + " waiting for " + what);
            }
            Thread.sleep(50); // polling a condition with a deadline
        }
    }
}
