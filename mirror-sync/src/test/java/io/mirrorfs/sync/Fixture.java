package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.SetAttrOp;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.store.Crc32c;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/** Writes slices into a source store as a client would, and the log entries that commit them. */
final class Fixture {
    static final String VOLUME = "vol";
    static final int BLOCK = 1024;

    record Entry(long index, LogEntry entry, List<BlockRef> blocks, List<byte[]> data) {}

    final List<Entry> entries = new ArrayList<>();
    private final Random random = new Random(42);
    private long index;
    private long nextSlice = 1;

    /** A committed slice of {@code sizeBytes} (its blocks uploaded first), at the next index. */
    Entry commit(ObjectStore source, int sizeBytes) throws IOException {
        long slice = nextSlice++;
        SliceRef.Builder ref = SliceRef.newBuilder().setSliceId(slice).setSliceSize(sizeBytes).setLength(sizeBytes);
        List<byte[]> data = new ArrayList<>();
        for (int i = 0; i < BlockKey.blockCount(sizeBytes, BLOCK); i++) {
            byte[] block = new byte[BlockKey.blockSize(sizeBytes, BLOCK, i)];
            random.nextBytes(block);
            source.put(new BlockKey(VOLUME, slice, i, block.length).objectKey(), block);
            ref.addBlockCrc32C(Crc32c.of(block));
            data.add(block);
        }
        LogEntry entry = LogEntry.newBuilder().setTimeNs(index).setRequest(MetaRequest.newBuilder()
                .setCommitSlice(CommitSliceOp.newBuilder().setInode(100 + slice).setSlice(ref))).build();
        Entry e = new Entry(++index, entry, SliceBlocks.of(index, entry, VOLUME, BLOCK), data);
        entries.add(e);
        return e;
    }

    /** An entry without data (a setattr), at the next index. */
    Entry other() {
        LogEntry entry = LogEntry.newBuilder().setRequest(MetaRequest.newBuilder()
                .setSetattr(SetAttrOp.newBuilder().setInode(1))).build();
        Entry e = new Entry(++index, entry, List.of(), List.of());
        entries.add(e);
        return e;
    }

    static SyncConfig config() {
        return SyncConfig.defaults(VOLUME, BLOCK).withParallelism(4, 64)
                .withRetries(3, Duration.ofMillis(5), Duration.ofMillis(40), Duration.ofMillis(20), Duration.ofMillis(100));
    }

    static void assertAllPresentAndValid(ObjectStore target, Entry e) throws IOException {
        for (int i = 0; i < e.blocks().size(); i++) {
            BlockRef b = e.blocks().get(i);
            byte[] got = target.get(b.objectKey());
            assertThat(Crc32c.of(got)).as("CRC of " + b.objectKey()).isEqualTo(b.crc32c());
            assertThat(got).isEqualTo(e.data().get(i));
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
