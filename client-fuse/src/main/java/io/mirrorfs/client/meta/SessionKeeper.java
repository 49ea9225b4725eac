package io.mirrorfs.client.meta;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.CloseSessionOp;
import io.mirrorfs.api.proto.HeartbeatOp;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.OpenSessionOp;
import io.mirrorfs.client.FsException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This mount's session with the metadata group: opened at mount, kept alive by a heartbeat every
 * third of its TTL on one daemon thread, closed at a clean unmount. The server releases a session's
 * locks when it is closed, or when no heartbeat reached it for the TTL (the mount died or was cut
 * off): then the next heartbeat finds it gone, and the keeper opens a new session and says loudly
 * that locks held through this mount may no longer be held on the server.
 *
 * <p>If the session cannot be opened at mount (no primary reachable), the mount still works and the
 * keeper keeps trying; meanwhile a lock request opens it first ({@link #idOpeningIfNone}) and is
 * refused if it cannot — a lock outside a session would outlive a dead mount.
 */
public final class SessionKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionKeeper.class);
    /** Failures in a row logged one by one; after that, every this many. */
    private static final int FAILURES_LOGGED_EACH = 10;
    private static final long RETRY_MILLIS_MIN = 100;

    private final MetaGateway meta;
    private final OpenSessionOp info;
    private final long ttlMillis;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mirrorfs-session-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private volatile long sessionId;
    private int failuresInARow;
    private volatile boolean closed;

    private SessionKeeper(MetaGateway meta, OpenSessionOp info, Duration ttl) {
        this.meta = meta;
        this.info = info;
        this.ttlMillis = ttl.toMillis();
    }

    /**
     * Opens a session for the mount at {@code mountPoint} and starts heartbeating. Never fails the
     * mount: a session that cannot be opened now is retried in the background (see the class comment).
     */
    public static SessionKeeper start(MetaGateway meta, String mountPoint, Duration ttl) {
        OpenSessionOp info = OpenSessionOp.newBuilder().setHost(hostName()).setPid((int) ProcessHandle.current().pid())
                .setMountPoint(mountPoint).setVersion(version()).setTtlMs(Math.toIntExact(ttl.toMillis())).build();
        SessionKeeper keeper = new SessionKeeper(meta, info, ttl);
        synchronized (keeper) {
            try {
                keeper.open();
            } catch (FsException e) {
                keeper.failed("open a session", e);
            }
        }
        keeper.scheduleNext(keeper.sessionId == 0 ? keeper.retryMillis() : keeper.heartbeatMillis());
        return keeper;
    }

    /** The session locks are taken in; 0 while none could be opened. */
    public long id() {
        return sessionId;
    }

    /**
     * The session to take a lock in. With none open (no primary reachable at mount, or the last
     * renewal failed) this tries once to open one now, bounded like a heartbeat, instead of leaving the
     * lock to wait for the next background retry. 0 if that fails too, or once the keeper is closed.
     */
    public synchronized long idOpeningIfNone() {
        if (closed) {
            return 0;
        }
        if (sessionId == 0) {
            try {
                open();
                failuresInARow = 0;
            } catch (FsException e) {
                failed("open a session for a lock request", e);
            } catch (RuntimeException e) {
                failed("open a session for a lock request", new FsException(Errno.EIO, e.toString(), e));
            }
        }
        return sessionId;
    }

    /** The wait between heartbeats: a third of the TTL, so two may be lost before the server gives up. */
    long heartbeatMillis() {
        return Math.max(1, ttlMillis / 3);
    }

    private long retryMillis() {
        return Math.max(RETRY_MILLIS_MIN, ttlMillis / 10);
    }

    /**
     * Called when the server refused a lock naming this session (EINVAL): if the session is gone, a
     * new one is opened now instead of at the next heartbeat. Returns whether the session id changed,
     * i.e. whether the lock is worth sending again.
     */
    public synchronized boolean renewIfGone() {
        long before = sessionId;
        if (closed || before == 0) {
            return false;
        }
        try {
            heartbeat();
        } catch (FsException e) {
            failed("renew the session", e);
        }
        return sessionId != before;
    }

    private void scheduleNext(long delayMillis) {
        if (closed) {
            return;
        }
        try {
            heartbeats.schedule(this::tick, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed concurrently: nothing more to do
        }
    }

    private void tick() {
        boolean ok;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                if (sessionId == 0) {
                    open();
                } else {
                    heartbeat();
                }
                if (failuresInARow > 0) {
                    log.info("session {} heartbeats reach the metadata group again after {} failure(s)", sessionId,
                            failuresInARow);
                }
                failuresInARow = 0;
                ok = true;
            } catch (FsException e) {
                failed(sessionId == 0 ? "open a session" : "heartbeat session " + sessionId, e);
                ok = false;
            } catch (RuntimeException e) {
                failed("heartbeat session " + sessionId, new FsException(Errno.EIO, e.toString(), e));
                ok = false;
            }
        }
        scheduleNext(ok ? heartbeatMillis() : retryMillis());
    }

    /** One heartbeat; a session the server no longer has is replaced by a new one. Holds the monitor. */
    private void heartbeat() throws FsException {
        long id = sessionId;
        try {
            meta.mutate(Caller.getDefaultInstance(), MetaRequest.newBuilder()
                    .setHeartbeat(HeartbeatOp.newBuilder().setSessionId(id)), heartbeatMillis());
        } catch (FsException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
            log.warn("session {} of mount {} expired on the metadata server (no heartbeat reached it within {} ms):"
                    + " the server released every lock taken through this mount. Locks that processes still believe"
                    + " they hold here (flock/fcntl) may be stale: another mount can take them now. Opening a new"
                    + " session", id, info.getMountPoint(), ttlMillis);
            sessionId = 0; // until the new one is open (a failure here is retried by the next tick)
            open();
        }
    }

    private void open() throws FsException {
        long id = meta.mutate(Caller.getDefaultInstance(), MetaRequest.newBuilder().setOpenSession(info),
                heartbeatMillis()).getSessionId();
        meta.useSessionAsClientId(id);
        sessionId = id;
        log.info("mount {} opened metadata session {} (TTL {} ms)", info.getMountPoint(), id, ttlMillis);
    }

    private void failed(String what, FsException e) {
        failuresInARow++;
        if (failuresInARow <= FAILURES_LOGGED_EACH || failuresInARow % FAILURES_LOGGED_EACH == 0) {
            log.warn("could not {} ({} failure(s) in a row; retrying in {} ms; the server releases this mount's"
                    + " locks after {} ms without a heartbeat): {}", what, failuresInARow, retryMillis(), ttlMillis,
                    e.getMessage());
        }
    }

    /** Stops heartbeating and closes the session on the server (releasing its locks); bounded wait. */
    @Override
    public void close() {
        long id;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            id = sessionId;
        }
        heartbeats.shutdownNow();
        if (id == 0) {
            return;
        }
        try {
            meta.mutate(Caller.getDefaultInstance(), MetaRequest.newBuilder()
                    .setCloseSession(CloseSessionOp.newBuilder().setSessionId(id)), heartbeatMillis());
            log.info("mount {} closed metadata session {}", info.getMountPoint(), id);
        } catch (FsException e) {
            log.warn("could not close session {} of mount {} ({}); the server releases its locks when its TTL of {} ms"
                    + " runs out", id, info.getMountPoint(), e.getMessage(), ttlMillis);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    private static String version() {
        String v = SessionKeeper.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
