package io.mirrorfs.meta.engine;

import static io.mirrorfs.meta.engine.TestFs.errno;
import static io.mirrorfs.meta.engine.TestFs.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.ExpireSessionsOp;
import io.mirrorfs.api.proto.GetLockQuery;
import io.mirrorfs.api.proto.HeartbeatOp;
import io.mirrorfs.api.proto.LockKind;
import io.mirrorfs.api.proto.LockOp;
import io.mirrorfs.api.proto.LockRange;
import io.mirrorfs.api.proto.LockType;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.OpenSessionOp;
import io.mirrorfs.api.proto.SessionRecord;
import io.mirrorfs.meta.engine.ops.SessionHandler;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session expiry through the log (ExpireSessionsOp): exactly the sessions whose last heartbeat is
 * older than their TTL at the entry's time are closed and lose their locks; the decision uses only
 * the log entry's time, so a replay or a mirror fed the changelog reaches the same state.
 */
class SessionExpiryTest {
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path dir;

    @Test
    void expiryReleasesExactlyTheExpiredSessionsLocks() throws Exception {
        try (TestFs fs = TestFs.formatted(dir.resolve("primary"))) {
            long f = fs.file(TestFs.ROOT_INODE, "f");
            long g = fs.file(TestFs.ROOT_INODE, "g");
            long dead = openSession(fs, "dead", 2_000);
            long alive = openSession(fs, "alive", 2_000);
            long patient = openSession(fs, "patient", 0); // default TTL, 30 s
            ok(lock(fs, f, LockKind.POSIX, LockType.WRITE, 0, 9, 1, dead));
            ok(lock(fs, f, LockKind.POSIX, LockType.WRITE, 10, 19, 2, alive));
            ok(lock(fs, f, LockKind.POSIX, LockType.WRITE, 20, 29, 3, patient));
            ok(lock(fs, g, LockKind.FLOCK, LockType.READ, 0, 0, 4, dead));
            ok(lock(fs, g, LockKind.FLOCK, LockType.READ, 0, 0, 5, alive));

            fs.timeNs += 3 * SECOND_NS / 2;
            ok(heartbeat(fs, alive));
            fs.timeNs += SECOND_NS; // dead: 2.5 s without a heartbeat, alive: 1 s, patient: 2.5 s of 30

            long now = fs.timeNs + 1000; // the next entry's time
            List<Long> candidates = fs.engine.read(state -> SessionHandler.expiredSessions(state, now, 10)).stream()
                    .map(SessionRecord::getSessionId).toList();
            assertThat(candidates).as("the leader's scan").containsExactly(dead);

            // Even when asked to, apply closes only what is expired at the entry's time.
            ok(expire(fs, dead, alive, patient));
            assertThat(errno(heartbeat(fs, dead))).as("expired session is gone").isEqualTo(Errno.ENOENT);
            ok(heartbeat(fs, alive));
            ok(heartbeat(fs, patient));
            assertThat(conflictOwner(fs, f, LockKind.POSIX, 0, 9)).as("dead's range is free").isZero();
            assertThat(conflictOwner(fs, f, LockKind.POSIX, 10, 19)).isEqualTo(2);
            assertThat(conflictOwner(fs, f, LockKind.POSIX, 20, 29)).isEqualTo(3);
            assertThat(conflictOwner(fs, g, LockKind.FLOCK, 0, 0)).as("alive's flock stays").isEqualTo(5);
            ok(lock(fs, f, LockKind.POSIX, LockType.WRITE, 0, 9, 6, alive));

            byte[] before = fs.engine.namespaceDigest();
            assertThat(errno(expire(fs, dead, alive))).as("nothing expired any more").isEqualTo(Errno.ENOENT);
            assertThat(hex(fs.engine.namespaceDigest())).as("a refused expiry writes nothing").isEqualTo(hex(before));
        }
    }

    @Test
    void aHeartbeatAppliedBeforeTheExpiryKeepsTheSession() throws Exception {
        try (TestFs fs = TestFs.formatted(dir.resolve("primary"))) {
            long s = openSession(fs, "racer", 1_000);
            fs.timeNs += 2 * SECOND_NS;
            long now = fs.timeNs + 1000;
            List<SessionRecord> due = fs.engine.read(state -> SessionHandler.expiredSessions(state, now, 10));
            assertThat(due).hasSize(1);
            ok(heartbeat(fs, s)); // ordered before the leader's proposal
            assertThat(errno(expire(fs, s))).isEqualTo(Errno.ENOENT);
            ok(heartbeat(fs, s));
        }
    }

    @Test
    void badSessionInputIsRefusedAndChangesNothing() throws Exception {
        try (TestFs fs = TestFs.formatted(dir.resolve("primary"))) {
            long s = openSession(fs, "x", 1_000);
            byte[] before = fs.engine.namespaceDigest();
            assertThat(errno(fs.run(MetaRequest.newBuilder().setOpenSession(OpenSessionOp.newBuilder().setTtlMs(999)))))
                    .isEqualTo(Errno.EINVAL);
            assertThat(errno(fs.run(MetaRequest.newBuilder().setOpenSession(
                    OpenSessionOp.newBuilder().setTtlMs((int) SessionHandler.TTL_MAX_MILLIS + 1))))).isEqualTo(Errno.EINVAL);
            assertThat(errno(fs.run(MetaRequest.newBuilder().setOpenSession(OpenSessionOp.newBuilder().setTtlMs(-1)))))
                    .as("ttl_ms is unsigned: 2^32 - 1 is too long").isEqualTo(Errno.EINVAL);
            assertThat(errno(fs.run(MetaRequest.newBuilder().setExpireSessions(ExpireSessionsOp.getDefaultInstance()))))
                    .isEqualTo(Errno.EINVAL);
            fs.timeNs += 5 * SECOND_NS;
            long[] tooMany = LongStream.rangeClosed(1, SessionHandler.EXPIRE_SESSIONS_MAX + 1).toArray();
            assertThat(errno(expire(fs, tooMany))).isEqualTo(Errno.EINVAL);
            assertThat(hex(fs.engine.namespaceDigest())).isEqualTo(hex(before));
            ok(expire(fs, s)); // the same session, asked properly
        }
    }

    @Test
    void replayAndMirrorReachTheSameStateAsTheLeader() throws Exception {
        try (TestFs fs = TestFs.formatted(dir.resolve("primary"))) {
            long f = fs.file(TestFs.ROOT_INODE, "f");
            for (int round = 0; round < 3; round++) {
                long a = openSession(fs, "a" + round, 1_000);
                long b = openSession(fs, "b" + round, 1_000);
                ok(lock(fs, f, LockKind.POSIX, LockType.READ, round * 10L, round * 10L + 5, 100 + round, a));
                ok(lock(fs, f, LockKind.POSIX, LockType.READ, round * 10L + 6, round * 10L + 9, 200 + round, b));
                fs.timeNs += SECOND_NS / 2;
                ok(heartbeat(fs, b));
                fs.timeNs += 3 * SECOND_NS / 4;
                ok(expire(fs, a, b));
                assertThat(errno(heartbeat(fs, a))).isEqualTo(Errno.ENOENT);
                ok(heartbeat(fs, b));
            }
            // Replay: the same entries at the same indexes on a fresh replica.
            try (NamespaceEngine replica = NamespaceEngine.open(dir.resolve("replica"))) {
                for (int i = 0; i < fs.log.size(); i++) {
                    replica.apply(i + 1, fs.log.get(i));
                }
                assertThat(hex(replica.digest())).isEqualTo(hex(fs.engine.digest()));
            }
            // A mirror fed the changelog (expiries included) reaches the same namespace.
            try (NamespaceEngine mirror = NamespaceEngine.open(dir.resolve("mirror"))) {
                long local = 0;
                long previous = 0;
                for (ChangelogRow row : fs.engine.readChangelog(1, 10_000, Long.MAX_VALUE)) {
                    MetaReply r = mirror.apply(++local, LogEntry.newBuilder().setRequest(MetaRequest.newBuilder()
                            .setRequestId(io.mirrorfs.api.proto.RequestId.newBuilder().setClientId(77).setSeq(row.index()))
                            .setMirrored(io.mirrorfs.api.proto.MirroredOp.newBuilder().setPrimaryIndex(row.index())
                                    .setPreviousPrimaryIndex(previous).setEntry(LogEntry.parseFrom(row.logEntry()))))
                            .setTimeNs(1).build());
                    assertThat(errno(r)).as("mirror apply of " + row.index()).isEqualTo(Errno.OK);
                    previous = row.index();
                }
                assertThat(hex(mirror.namespaceDigest())).isEqualTo(hex(fs.engine.namespaceDigest()));
                // A mirror group refuses an expiry proposed to it directly: its expiries come from the primary.
                byte[] before = mirror.namespaceDigest();
                MetaReply refused = mirror.apply(++local, NamespaceEngine.prepare(MetaRequest.newBuilder()
                        .setRequestId(io.mirrorfs.api.proto.RequestId.newBuilder().setClientId(78).setSeq(1))
                        .setExpireSessions(ExpireSessionsOp.newBuilder().addSessionIds(1)).build(), Long.MAX_VALUE / 2));
                assertThat(errno(refused)).isEqualTo(Errno.EROFS);
                assertThat(hex(mirror.namespaceDigest())).isEqualTo(hex(before));
            }
        }
    }

    private static long openSession(TestFs fs, String host, int ttlMillis) throws Exception {
        return ok(fs.run(MetaRequest.newBuilder().setOpenSession(OpenSessionOp.newBuilder().setHost(host)
                .setPid(1).setMountPoint("/mnt/" + host).setTtlMs(ttlMillis)))).getSessionId();
    }

    private static MetaReply heartbeat(TestFs fs, long session) throws Exception {
        return fs.run(MetaRequest.newBuilder().setHeartbeat(HeartbeatOp.newBuilder().setSessionId(session)));
    }

    private static MetaReply expire(TestFs fs, long... sessions) throws Exception {
        ExpireSessionsOp.Builder op = ExpireSessionsOp.newBuilder();
        for (long s : sessions) {
            op.addSessionIds(s);
        }
        return fs.run(MetaRequest.newBuilder().setExpireSessions(op));
    }

    private static MetaReply lock(TestFs fs, long inode, LockKind kind, LockType type, long start, long end, long owner,
                                  long session) throws Exception {
        return fs.run(MetaRequest.newBuilder().setLock(LockOp.newBuilder().setInode(inode).setKind(kind)
                .setRange(LockRange.newBuilder().setType(type).setStart(start).setEnd(end).setOwner(owner)
                        .setSessionId(session))));
    }

    /** The owner of the first lock a write lock by owner 999 over [start, end] would conflict with; 0 if none. */
    private static long conflictOwner(TestFs fs, long inode, LockKind kind, long start, long end) {
        LockRange conflict = ok(fs.query(MetaQuery.newBuilder().setGetlock(GetLockQuery.newBuilder().setInode(inode)
                .setKind(kind).setRange(LockRange.newBuilder().setType(LockType.WRITE).setStart(start).setEnd(end)
                        .setOwner(999))))).getLock().getConflict();
        return conflict.getType() == LockType.UNLOCK ? 0 : conflict.getOwner();
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
