package io.mirrorfs.meta.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.InodeAllocator;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.NodeStatusReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What it proves: with three metadata processes on loopback, killing the leader with SIGKILL in the
 * middle of a stream of creates loses no acknowledged create and applies none twice; the survivors
 * elect a new leader and keep serving; the killed node, restarted, catches up to exactly the same
 * state (equal SHA-256 digests of the applied state on all three).
 *
 * <p>Fault model: one crash-stop of the leader (no partition, no disk loss). Writers retry through
 * the election with the same request ids (the client does), so a create whose reply was lost is
 * retried and must come back with its original answer, not EEXIST. Replay: the test is not seeded;
 * a failure leaves each node's log under the temp dir named in the assertion message.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ThreeProcessKillTest {
    private static final int WRITERS = 4;
    private static final int CREATES_BEFORE_KILL = 200;
    private static final int CREATES_TOTAL = 600;
    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path baseDir;

    @Test
    void leaderKilledMidStreamLosesNothingAndRejoins() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(baseDir, 3, List.of());
             RaftMetadataClient client = RaftMetadataClient.connect(cluster.group(),
                     MetadataClientOptions.defaults().withDeadline(Duration.ofSeconds(60)))) {
            cluster.startAll();
            String leader = cluster.awaitLeader(ELECTION_TIMEOUT);
            RequestIds ids = new RequestIds();
            assertThat(client.mutate(MetaOps.format(ids.next(), "vol", "file:///x", 0)).get(60, TimeUnit.SECONDS).getErrno()).isZero();

            InodeAllocator inodes = new InodeAllocator(client, ids, 64);
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            List<String> anomalies = new ArrayList<>();
            AtomicInteger started = new AtomicInteger();
            ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
            List<Future<?>> futures = new ArrayList<>();
            try {
                for (int w = 0; w < WRITERS; w++) {
                    futures.add(writers.submit(() -> {
                        int n;
                        while ((n = started.getAndIncrement()) < CREATES_TOTAL) {
                            String name = "f" + n;
                            MetaReply reply = client.mutate(MetaOps.create(ids.next(), MetaOps.ROOT, FsLimits.ROOT_INODE,
                                    name, FileType.REGULAR, 0644, inodes.next())).get(90, TimeUnit.SECONDS);
                            if (reply.getErrno() == 0) {
                                acknowledged.add(name);
                            } else {
                                synchronized (anomalies) {
                                    anomalies.add(name + " -> " + Errno.of(reply.getErrno()));
                                }
                            }
                        }
                        return null;
                    }));
                }
                Await.until(CREATES_BEFORE_KILL + " acknowledged creates", Duration.ofSeconds(60),
                        () -> acknowledged.size() >= CREATES_BEFORE_KILL);
                cluster.kill9(leader);
                for (Future<?> f : futures) {
                    f.get(180, TimeUnit.SECONDS);
                }
            } finally {
                writers.shutdownNow();
                writers.awaitTermination(30, TimeUnit.SECONDS);
            }
            assertThat(anomalies).as("creates answered with an error (a retry applied twice would be EEXIST)").isEmpty();
            assertThat(acknowledged).hasSize(CREATES_TOTAL);

            String newLeader = cluster.awaitLeader(ELECTION_TIMEOUT);
            assertThat(newLeader).isNotEqualTo(leader);

            // Every acknowledged create is there, once; nothing else is.
            List<String> listed = listRoot(client);
            assertThat(new HashSet<>(listed)).hasSameSizeAs(listed);
            assertThat(listed).containsExactlyInAnyOrderElementsOf(acknowledged);

            // The killed node comes back and converges to the same applied state.
            cluster.start(leader);
            // One more write makes every replica apply past the restart point.
            long lastIndex = client.mutate(MetaOps.create(ids.next(), MetaOps.ROOT, FsLimits.ROOT_INODE, "after-restart",
                    FileType.REGULAR, 0644, inodes.next())).get(60, TimeUnit.SECONDS).getIndex();
            Await.until("all three replicas to have equal state digests", Duration.ofSeconds(120), () -> {
                Set<String> digests = new HashSet<>();
                for (String id : List.of("n1", "n2", "n3")) {
                    NodeStatusReply s = cluster.status(id, true);
                    if (s.getAppliedIndex() < lastIndex) {
                        return false;
                    }
                    digests.add(s.getStateDigest().toStringUtf8() + "@" + s.getAppliedIndex());
                }
                return digests.size() == 1;
            });
        }
    }

    private static List<String> listRoot(RaftMetadataClient client) throws Exception {
        List<String> names = new ArrayList<>();
        String after = "";
        for (int page = 0; page < 10_000; page++) {
            MetaReply reply = client.query(MetaOps.readdir(MetaOps.ROOT, FsLimits.ROOT_INODE, after, 1000)).get(60, TimeUnit.SECONDS);
            assertThat(reply.getErrno()).isZero();
            for (DirEntry e : reply.getReaddir().getEntriesList()) {
                String name = e.getName().toStringUtf8();
                if (!name.equals(".") && !name.equals("..")) {
                    names.add(name);
                }
                after = name;
            }
            if (reply.getReaddir().getEof() || reply.getReaddir().getEntriesCount() == 0) {
                return names;
            }
        }
        throw new AssertionError("readdir did not reach eof");
    }
}
