package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.proto.SliceRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Pure functions over a chunk's ordered list of slice references (later refs shadow earlier ones). */
public final class ChunkLists {
    private ChunkLists() {}

    /**
     * The visible runs of a chunk: non-overlapping, sorted by position, each a sub-run of the ref that
     * is on top there. Hole refs (slice id 0) are dropped unless {@code keepHoles}; uncovered bytes
     * (and holes) read as zeros.
     */
    public static List<SliceRef> resolve(List<SliceRef> refs, boolean keepHoles) {
        TreeMap<Integer, SliceRef> runs = new TreeMap<>();
        for (SliceRef ref : refs) {
            if (ref.getLength() == 0) {
                continue;
            }
            int start = ref.getPositionInChunk();
            int end = start + ref.getLength();
            Map.Entry<Integer, SliceRef> lower = runs.lowerEntry(start);
            if (lower != null) {
                SliceRef l = lower.getValue();
                int lEnd = end(l);
                if (lEnd > start) {
                    runs.put(lower.getKey(), cut(l, l.getPositionInChunk(), start));
                    if (lEnd > end) {
                        runs.put(end, cut(l, end, lEnd));
                    }
                }
            }
            Iterator<Map.Entry<Integer, SliceRef>> covered = runs.subMap(start, true, end, false).entrySet().iterator();
            SliceRef tail = null;
            while (covered.hasNext()) {
                SliceRef r = covered.next().getValue();
                if (end(r) > end) {
                    tail = cut(r, end, end(r));
                }
                covered.remove();
            }
            if (tail != null) {
                runs.put(end, tail);
            }
            runs.put(start, ref);
        }
        List<SliceRef> out = new ArrayList<>();
        for (SliceRef r : runs.values()) {
            if (keepHoles || r.getSliceId() != 0) {
                out.add(r);
            }
        }
        return out;
    }

    /** The runs of {@code resolved} below {@code limit} (a position in the chunk), the one crossing it cut. */
    public static List<SliceRef> trim(List<SliceRef> resolved, int limit) {
        List<SliceRef> out = new ArrayList<>();
        for (SliceRef r : resolved) {
            if (r.getPositionInChunk() >= limit) {
                continue;
            }
            out.add(end(r) > limit ? cut(r, r.getPositionInChunk(), limit) : r);
        }
        return out;
    }

    /** Slices (by id, first ref of each) referenced by {@code before} but no longer by {@code after}. */
    public static List<SliceRef> released(List<SliceRef> before, List<SliceRef> after) {
        Set<Long> kept = new HashSet<>();
        for (SliceRef r : after) {
            kept.add(r.getSliceId());
        }
        Map<Long, SliceRef> gone = new LinkedHashMap<>();
        for (SliceRef r : before) {
            if (r.getSliceId() != 0 && !kept.contains(r.getSliceId())) {
                gone.putIfAbsent(r.getSliceId(), r);
            }
        }
        return new ArrayList<>(gone.values());
    }

    static int end(SliceRef r) {
        return r.getPositionInChunk() + r.getLength();
    }

    /** The part of run {@code r} covering chunk positions [from, to). */
    static SliceRef cut(SliceRef r, int from, int to) {
        assert r.getPositionInChunk() <= from && from < to && to <= end(r);
        return r.toBuilder()
                .setOffsetInSlice(r.getOffsetInSlice() + (from - r.getPositionInChunk()))
                .setPositionInChunk(from)
                .setLength(to - from)
                .build();
    }
}
