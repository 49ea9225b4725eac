package io.mirrorfs.meta.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots are RocksDB checkpoints, one directory each: {@code snapshots/snapshot.TERM_INDEX/}.
 *
 * <p>Transfer to a lagging or wiped follower uses Ratis's built-in install-snapshot: the leader
 * streams every file listed by {@link #getLatestSnapshot()} (paths relative to {@link #getSnapshotDir()}),
 * the follower writes them under {@link #getTmpDir()} with MD5 checks, then <em>replaces</em> the
 * whole snapshot directory with what it received and asks the state machine to reinitialize. That is
 * why the live database lives outside the snapshot directory ({@code db/}). At our scale (metadata of
 * millions of files is a few GB) a chunked gRPC stream is adequate, and it needs no second transfer
 * protocol; notification mode plus our own transfer would only pay off for much larger states.
 *
 * <p>Crash safety: a checkpoint is built in a {@code .partial-*} directory and renamed into place, so a
 * {@code snapshot.*} directory is always complete; leftovers are removed on start.
 */
final class SnapshotStore implements StateMachineStorage {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
    static final int RETAINED_SNAPSHOTS = 2;
    private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
    private static final String PARTIAL_PREFIX = ".partial-";
    /** Ratis writes one of these next to every received file. */
    private static final String MD5_SUFFIX = ".md5";

    private final Path snapshotDir;
    private final Path tmpDir;
    /**
     * Ratis asks for the latest snapshot on hot paths (each log-appender round), so it is cached and
     * refreshed whenever this node changes the directory, or Ratis does (install, then reinitialize).
     */
    private volatile SnapshotInfo latest;

    SnapshotStore(Path snapshotDir, Path tmpDir) {
        this.snapshotDir = snapshotDir;
        this.tmpDir = tmpDir;
    }

    @Override
    public void init(RaftStorage raftStorage) throws IOException {
        Files.createDirectories(snapshotDir);
        Files.createDirectories(tmpDir);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(snapshotDir, PARTIAL_PREFIX + "*")) {
            for (Path partial : dirs) {
                LOG.info("removing unfinished checkpoint {}", partial);
                deleteRecursively(partial);
            }
        }
        refresh();
    }

    /** Re-reads the directory; call after anything changed it. */
    void refresh() throws IOException {
        Snapshot newest = latest();
        latest = newest == null ? null : newest.info();
    }

    @Override
    public File getSnapshotDir() {
        return snapshotDir.toFile();
    }

    @Override
    public File getTmpDir() {
        return tmpDir.toFile();
    }

    @Override
    public void format() {
        // Nothing to format: directories are created by init.
    }

    /** A fresh directory name for {@code NamespaceEngine.checkpoint} (which creates it). */
    Path newPartialDir() {
        return snapshotDir.resolve(PARTIAL_PREFIX + System.nanoTime());
    }

    /** Renames a finished checkpoint into place as the snapshot at {@code termIndex}. */
    Path publish(Path partial, TermIndex termIndex) throws IOException {
        Path target = snapshotDir.resolve("snapshot." + termIndex.getTerm() + "_" + termIndex.getIndex());
        if (Files.exists(target)) {
            // Same index taken twice (e.g. a forced snapshot right after an automatic one).
            deleteRecursively(partial);
            return target;
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        refresh();
        return target;
    }

    /** The newest complete snapshot, or null. */
    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latest;
    }

    Snapshot latest() throws IOException {
        List<Snapshot> all = list();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        prune(Math.max(1, policy.getNumSnapshotsRetained()));
    }

    /** Deletes all but the newest {@code keep} snapshots. */
    void prune(int keep) throws IOException {
        List<Snapshot> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            LOG.info("pruning old snapshot {}", all.get(i).dir());
            deleteRecursively(all.get(i).dir());
        }
        refresh();
    }

    /** Snapshots sorted oldest first. */
    private List<Snapshot> list() throws IOException {
        List<Snapshot> out = new ArrayList<>();
        if (!Files.isDirectory(snapshotDir)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(snapshotDir)) {
            for (Path d : dirs) {
                Matcher m = NAME.matcher(d.getFileName().toString());
                if (m.matches() && Files.isDirectory(d)) {
                    out.add(new Snapshot(d, TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))));
                }
            }
        }
        out.sort(Comparator.comparingLong((Snapshot s) -> s.termIndex().getIndex())
                .thenComparingLong(s -> s.termIndex().getTerm()));
        return out;
    }

    /**
     * Makes {@code dbDir} a copy of the snapshot: SST files (immutable in RocksDB) are hard-linked, the
     * rest (MANIFEST, CURRENT, OPTIONS, WAL, which RocksDB may append to) copied. Built next to the
     * target and swapped in by rename, so a crash leaves either the old or the new database.
     */
    static void restore(Snapshot snapshot, Path dbDir) throws IOException {
        Path staging = dbDir.resolveSibling(dbDir.getFileName() + ".restoring");
        deleteRecursively(staging);
        Files.createDirectories(staging);
        try (Stream<Path> files = Files.list(snapshot.dir())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(MD5_SUFFIX) || !Files.isRegularFile(f)) {
                    continue;
                }
                Path to = staging.resolve(name);
                if (name.endsWith(".sst")) {
                    try {
                        Files.createLink(to, f);
                        continue;
                    } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
                        throw new IOException("cannot hard-link " + f + " into " + staging, e);
                    } catch (IOException e) {
                        LOG.debug("hard link of {} failed ({}), copying", f, e.toString());
                    }
                }
                Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path old = dbDir.resolveSibling(dbDir.getFileName() + ".old");
        deleteRecursively(old);
        if (Files.exists(dbDir)) {
            Files.move(dbDir, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, dbDir, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(old);
    }

    /** Removes a half-finished restore left by a crash (the old database is still in place then). */
    static void cleanupRestoreLeftovers(Path dbDir) throws IOException {
        deleteRecursively(dbDir.resolveSibling(dbDir.getFileName() + ".restoring"));
        Path old = dbDir.resolveSibling(dbDir.getFileName() + ".old");
        if (Files.exists(old) && !Files.exists(dbDir)) {
            // Crashed between the two renames: the old database is the consistent one.
            Files.move(old, dbDir, StandardCopyOption.ATOMIC_MOVE);
        }
        deleteRecursively(old);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** One snapshot directory and the log position it reflects. */
    record Snapshot(Path dir, TermIndex termIndex) {
        SnapshotInfo info() throws UncheckedIOException {
            List<FileInfo> files = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile)
                        .filter(f -> !f.getFileName().toString().endsWith(MD5_SUFFIX))
                        .sorted()
                        .forEach(f -> files.add(new FileInfo(f.toAbsolutePath(), null)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list snapshot " + dir, e);
            }
            return new FileListSnapshotInfo(files, termIndex);
        }
    }
}
