package io.mirrorfs.client.chunk;

import io.mirrorfs.api.proto.SliceRef;
import java.util.ArrayList;
import java.util.List;

/**
 * A run of a chunk whose bytes come from one place: a slice (at {@code offsetInSlice}) or a hole
 * (sliceId 0, zeros). {@link #resolve} turns a chunk's slice list into the runs covering a range.
 */
record VisibleRun(int positionInChunk, int length, long sliceId, int sliceSize, int offsetInSlice, List<Integer> blockCrcs) {

    static VisibleRun hole(int position, int length) {
        return new VisibleRun(position, length, 0, 0, 0, List.of());
    }

    boolean isHole() {
        return sliceId == 0;
    }

    int end() {
        return positionInChunk + length;
    }

    /** The part of this run inside [from, to). */
    VisibleRun clip(int from, int to) {
        int start = Math.max(from, positionInChunk);
        int stop = Math.min(to, end());
        assert start < stop;
        return new VisibleRun(start, stop - start, sliceId, sliceSize, offsetInSlice + (start - positionInChunk), blockCrcs);
    }

    /**
     * Paints the slices in commit order over [from, to) and returns the runs left visible, sorted by
     * position and covering the range exactly (uncovered parts are holes).
     */
    static List<VisibleRun> resolve(List<SliceRef> slices, int from, int to) {
        List<VisibleRun> runs = new ArrayList<>();
        if (from >= to) {
            return runs;
        }
        runs.add(hole(from, to - from));
        for (SliceRef s : slices) {
            int start = Math.max(from, s.getPositionInChunk());
            int stop = (int) Math.min(to, (long) s.getPositionInChunk() + s.getLength());
            if (start >= stop) {
                continue;
            }
            VisibleRun top = new VisibleRun(s.getPositionInChunk(), s.getLength(), s.getSliceId(), s.getSliceSize(),
                    s.getOffsetInSlice(), s.getBlockCrc32CList()).clip(start, stop);
            List<VisibleRun> next = new ArrayList<>(runs.size() + 2);
            boolean placed = false;
            for (VisibleRun r : runs) {
                if (r.end() <= start || r.positionInChunk() >= stop) {
                    if (!placed && r.positionInChunk() >= stop) {
                        next.add(top);
                        placed = true;
                    }
                    next.add(r);
                    continue;
                }
                if (r.positionInChunk() < start) {
                    next.add(r.clip(r.positionInChunk(), start));
                }
                if (!placed) {
                    next.add(top);
                    placed = true;
                }
                if (r.end() > stop) {
                    next.add(r.clip(stop, r.end()));
                }
            }
            if (!placed) {
                next.add(top);
            }
            runs = next;
        }
        assert covers(runs, from, to) : runs;
        return runs;
    }

    private static boolean covers(List<VisibleRun> runs, int from, int to) {
        int at = from;
        for (VisibleRun r : runs) {
            if (r.positionInChunk() != at || r.length() <= 0) {
                return false;
            }
            at = r.end();
        }
        return at == to;
    }
}
