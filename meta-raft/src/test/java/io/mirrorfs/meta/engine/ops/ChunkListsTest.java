package io.mirrorfs.meta.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.mirrorfs.api.proto.SliceRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure chunk-list arithmetic, no database: shadowing, holes, trimming, released slices. */
class ChunkListsTest {
    static SliceRef ref(long slice, int position, int length) {
        return SliceRef.newBuilder().setSliceId(slice).setSliceSize(1000).setPositionInChunk(position)
                .setLength(length).build();
    }

    @Test
    void laterRefsShadowEarlierOnesAndHolesAreOmitted() {
        List<SliceRef> runs = ChunkLists.resolve(List.of(ref(1, 0, 100), ref(2, 20, 10), ref(0, 50, 10), ref(3, 90, 20)),
                false);
        assertThat(runs).extracting(SliceRef::getSliceId, SliceRef::getPositionInChunk, SliceRef::getLength,
                SliceRef::getOffsetInSlice).containsExactly(
                tuple(1L, 0, 20, 0), tuple(2L, 20, 10, 0), tuple(1L, 30, 20, 30), tuple(1L, 60, 30, 60),
                tuple(3L, 90, 20, 0));
    }

    @Test
    void trimCutsTheCrossingRunAndReleaseFindsUnreferencedSlices() {
        List<SliceRef> before = List.of(ref(1, 0, 100), ref(2, 150, 50));
        List<SliceRef> after = ChunkLists.trim(ChunkLists.resolve(before, false), 40);
        assertThat(after).extracting(SliceRef::getSliceId, SliceRef::getLength).containsExactly(tuple(1L, 40));
        assertThat(ChunkLists.released(before, after)).extracting(SliceRef::getSliceId).containsExactly(2L);
    }
}
