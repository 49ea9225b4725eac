package io.mirrorfs.meta.changelog;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mirrorfs.api.proto.BootstrapChunk;
import io.mirrorfs.api.proto.BootstrapRow;
import io.mirrorfs.meta.engine.NamespaceEngine;
import io.mirrorfs.meta.engine.ops.BootstrapHandler;
import io.mirrorfs.meta.engine.ops.MetaKeys;
import io.mirrorfs.meta.engine.region.RegionState;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.KeyValue;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.RocksStore;
import io.mirrorfs.meta.engine.store.StateReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary side of {@code ChangelogService.Bootstrap} (DESIGN §4): streams this node's namespace
 * rows, as of one applied index, to a mirror that is behind the retained changelog.
 *
 * <p>Consistency: each stream takes a RocksDB checkpoint of the engine (hard links, taken in step with
 * apply, so it holds exactly one applied index) and reads only that, so the rows and
 * {@code snapshot_index} always agree, however long the stream takes and whatever the live database
 * does meanwhile (applies, a snapshot install replacing the engine). The checkpoint is deleted when
 * the stream ends (while it runs, the live database's compactions cannot free the SST files it links:
 * up to one database size of extra disk per stream, hence {@code streamsMax}). Only namespace
 * families and {@link BootstrapHandler#META_ROWS_COPIED} are sent: never the changelog, the
 * applied/primary index or the region rows.
 *
 * <p>Memory: one chunk at a time (at most {@code chunkRowsMax} rows / about {@code chunkBytesMax}
 * bytes), sent only while gRPC says the stream is ready, so a slow mirror is held back by flow control.
 */
public final class BootstrapSource {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapSource.class);
    private static final String CHECKPOINT_PREFIX = "bootstrap-";
    private static final byte[] EMPTY = new byte[0];
    /**
     * Rows read from RocksDB per scan: a row-count bound is all a scan has, and a row can be 64 KiB
     * (an xattr), so pages stay small whatever the chunk size; chunks are filled from several pages.
     */
    private static final int PAGE_ROWS = 128;
    /** Per-row overhead counted into a chunk's size beside key and value (family name, protobuf tags). */
    private static final int ROW_OVERHEAD_BYTES = 32;

    /**
     * @param streamsMax    concurrent Bootstrap streams on this node (each holds a checkpoint on disk)
     * @param chunkRowsMax  rows per chunk at most
     * @param chunkBytesMax a chunk is sent once its rows reach this size (a chunk holds at least one row)
     * @param pollMillis    longest wait for the stream to become ready before re-checking cancellation
     */
    public record Limits(int streamsMax, int chunkRowsMax, int chunkBytesMax, long pollMillis) {
        public Limits {
            if (streamsMax < 1 || chunkRowsMax < 1 || chunkBytesMax < 1 || pollMillis < 1 || pollMillis > 10_000) {
                throw new IllegalArgumentException("bootstrap source limits out of range: " + this);
            }
        }

        /** 1 MiB chunks: far below Ratis's entry and message limits once the mirror proposes them. */
        public static Limits defaults() {
            return new Limits(2, 4096, 1 << 20, 500);
        }
    }

    /** Receives chunks in order; may block (flow control). */
    public interface ChunkSink {
        void send(BootstrapChunk chunk) throws IOException, InterruptedException;
    }

    private final Supplier<NamespaceEngine> engine;
    private final Path scratchDir;
    private final Limits limits;
    private final Semaphore streams;
    private final AtomicLong streamSeq = new AtomicLong();

    /**
     * @param engine     the node's current engine (a supplier: a snapshot install replaces it)
     * @param scratchDir where checkpoints are made; on the engine's filesystem, so they are hard links.
     *                   Owned by this source: leftovers of a crashed stream are deleted here.
     */
    public BootstrapSource(Supplier<NamespaceEngine> engine, Path scratchDir, Limits limits) {
        this.engine = engine;
        this.scratchDir = scratchDir;
        this.limits = limits;
        this.streams = new Semaphore(limits.streamsMax());
        deleteLeftovers();
    }

    /** Checkpoints of streams cut short by a crash: nothing else deletes them. */
    private void deleteLeftovers() {
        if (!Files.isDirectory(scratchDir)) {
            return;
        }
        try (Stream<Path> old = Files.list(scratchDir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith(CHECKPOINT_PREFIX)).toList()) {
                LOG.info("deleting the leftover bootstrap checkpoint {}", p);
                deleteTree(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete leftover bootstrap checkpoints in {}: delete them by hand", scratchDir, e);
        }
    }

    /**
     * Serves one Bootstrap call whose volume, mirror name and format the caller has validated. Returns
     * at once; the stream runs on its own thread and ends with onCompleted or onError.
     */
    public void serve(String mirrorName, StreamObserver<BootstrapChunk> observer) {
        if (!streams.tryAcquire()) {
            observer.onError(Status.RESOURCE_EXHAUSTED.withDescription("this node already serves "
                    + limits.streamsMax() + " bootstrap streams; retry later or ask another node of the primary region")
                    .asRuntimeException());
            return;
        }
        ServerCallStreamObserver<BootstrapChunk> call = (ServerCallStreamObserver<BootstrapChunk>) observer;
        Transfer stream = new Transfer(call, mirrorName);
        // Handlers must be set before this call returns (gRPC's rule for server streams).
        call.setOnReadyHandler(stream::wake);
        call.setOnCancelHandler(stream::cancel);
        Thread.ofVirtual().name("bootstrap-source-" + mirrorName).start(() -> {
            try {
                stream.run();
            } finally {
                streams.release();
            }
        });
    }

    /**
     * The changelog index a view reflects: a mirror follows from here + 1. On a mirror it is the
     * primary index it applied; on a primary its newest changelog entry (every later entry has a
     * higher index; without the row, the applied Raft index plus the changelog offset). Refuses a view
     * that is itself half-bootstrapped or unformatted.
     */
    public static long snapshotIndex(StateReader view) throws StatusException {
        RegionState region = RegionState.read(view);
        if (!region.formatted() || BootstrapHandler.inProgress(view) || region.bootstrapRequired()) {
            throw Status.FAILED_PRECONDITION.withDescription("this node's namespace is not complete (unformatted or"
                    + " itself bootstrapping): bootstrap from the primary region").asException();
        }
        if (region.role() == RegionState.Role.MIRROR) {
            return region.primaryIndex();
        }
        if (region.changelogLastIndex() > 0) {
            return region.changelogLastIndex(); // what reads report as changelog_index: lag stays >= 0
        }
        byte[] applied = view.get(Cf.META, Keys.name(MetaKeys.APPLIED_INDEX));
        return region.changelogIndexOf(applied == null ? 0 : Keys.readU64(applied, 0));
    }

    /**
     * Sends every row a mirror installs, as chunks: the namespace families in {@link Cf} order, then
     * the copied meta rows; the last chunk has {@code last} set (it may carry no rows). Returns the
     * number of rows sent.
     */
    public static long chunks(StateReader view, long snapshotIndex, Limits limits, ChunkSink sink)
            throws IOException, InterruptedException {
        ChunkBuilder chunk = new ChunkBuilder(snapshotIndex, limits, sink);
        for (Cf cf : BootstrapHandler.NAMESPACE_FAMILIES) {
            byte[] after = null;
            while (true) {
                List<KeyValue> page = view.scan(cf, EMPTY, after, PAGE_ROWS);
                for (KeyValue kv : page) {
                    chunk.add(cf, kv.key(), kv.value());
                }
                if (page.size() < PAGE_ROWS) {
                    break;
                }
                after = page.get(page.size() - 1).key();
            }
        }
        for (String name : BootstrapHandler.META_ROWS_COPIED) {
            byte[] value = view.get(Cf.META, Keys.name(name));
            if (value != null) {
                chunk.add(Cf.META, Keys.name(name), value);
            }
        }
        return chunk.finish();
    }

    /** Accumulates rows and sends a chunk when it is full. */
    private static final class ChunkBuilder {
        private final long snapshotIndex;
        private final Limits limits;
        private final ChunkSink sink;
        private BootstrapChunk.Builder current;
        private long chunkBytes;
        private long rows;

        ChunkBuilder(long snapshotIndex, Limits limits, ChunkSink sink) {
            this.snapshotIndex = snapshotIndex;
            this.limits = limits;
            this.sink = sink;
            this.current = BootstrapChunk.newBuilder().setSnapshotIndex(snapshotIndex);
        }

        void add(Cf cf, byte[] key, byte[] value) throws IOException, InterruptedException {
            current.addRows(BootstrapRow.newBuilder().setFamily(cf.columnName())
                    .setKey(ByteString.copyFrom(key)).setValue(ByteString.copyFrom(value)));
            chunkBytes += key.length + value.length + ROW_OVERHEAD_BYTES;
            rows++;
            if (current.getRowsCount() >= limits.chunkRowsMax() || chunkBytes >= limits.chunkBytesMax()) {
                sink.send(current.build());
                current = BootstrapChunk.newBuilder().setSnapshotIndex(snapshotIndex);
                chunkBytes = 0;
            }
        }

        long finish() throws IOException, InterruptedException {
            sink.send(current.setLast(true).build());
            return rows;
        }
    }

    /** One Bootstrap call: its thread is the only one that calls onNext/onError/onCompleted. */
    private final class Transfer {
        private final ServerCallStreamObserver<BootstrapChunk> call;
        private final String mirror;
        private final Object ready = new Object();
        private volatile boolean cancelled;
        private long bytesSent;
        private long chunksSent;

        Transfer(ServerCallStreamObserver<BootstrapChunk> call, String mirror) {
            this.call = call;
            this.mirror = mirror;
        }

        void wake() {
            synchronized (ready) {
                ready.notifyAll();
            }
        }

        void cancel() {
            cancelled = true;
            wake();
        }

        void run() {
            String safeName = mirror.replaceAll("[^A-Za-z0-9_.-]", "_");
            Path checkpoint = scratchDir.resolve(CHECKPOINT_PREFIX + safeName + "-" + streamSeq.incrementAndGet());
            long startNanos = System.nanoTime();
            try {
                NamespaceEngine current = engine.get();
                if (current == null) {
                    throw Status.UNAVAILABLE.withDescription("the metadata engine is not open (node starting or"
                            + " installing a snapshot); retry").asException();
                }
                Files.createDirectories(scratchDir);
                current.checkpoint(checkpoint);
                try (RocksStore store = RocksStore.open(checkpoint); RocksStore.SnapshotView view = store.snapshot()) {
                    long snapshotIndex = snapshotIndex(view);
                    LOG.info("bootstrap of mirror '{}' starts at snapshot index {}", mirror, snapshotIndex);
                    long rows = chunks(view, snapshotIndex, limits, this::send);
                    call.onCompleted();
                    LOG.info("bootstrap of mirror '{}' sent {} rows ({} bytes, {} chunks) at snapshot index {} in {} ms",
                            mirror, rows, bytesSent, chunksSent, snapshotIndex, (System.nanoTime() - startNanos) / 1_000_000);
                }
            } catch (StatusException e) {
                LOG.warn("bootstrap of mirror '{}' refused: {}", mirror, e.getStatus());
                call.onError(e);
            } catch (CancelledException e) {
                LOG.info("bootstrap of mirror '{}' cancelled by the mirror after {} bytes", mirror, bytesSent);
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("bootstrap of mirror '{}' failed after {} bytes", mirror, bytesSent, e);
                call.onError(Status.UNAVAILABLE.withDescription("bootstrap stream failed: " + e.getMessage())
                        .withCause(e).asRuntimeException());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                call.onError(Status.UNAVAILABLE.withDescription("node shutting down").asRuntimeException());
            } catch (RuntimeException e) {
                // Includes a cancelled call racing onNext, and RocksDB read failures: never silent.
                LOG.warn("bootstrap stream to mirror '{}' ended after {} bytes", mirror, bytesSent, e);
                if (!cancelled) {
                    call.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
                }
            } finally {
                try {
                    deleteTree(checkpoint);
                } catch (IOException e) {
                    LOG.error("cannot delete the bootstrap checkpoint {}: delete it by hand", checkpoint, e);
                }
            }
        }

        private void send(BootstrapChunk chunk) throws InterruptedException, CancelledException {
            synchronized (ready) {
                while (!call.isReady() && !cancelled) {
                    ready.wait(limits.pollMillis());
                }
            }
            if (cancelled) {
                throw new CancelledException();
            }
            call.onNext(chunk);
            bytesSent += chunk.getSerializedSize();
            chunksSent++;
        }
    }

    /** The mirror cancelled the call: stop reading, nothing to report to it. */
    private static final class CancelledException extends IOException {
        CancelledException() {
            super("cancelled", null);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
