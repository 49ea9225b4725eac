package io.mirrorfs.cli.failover;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One changelog entry as a report shows it: the operation, the path it touched (resolved through the
 * namespace it was applied to, plus names created by earlier entries of the same report), the bytes
 * it wrote, and how many of its blocks are still in a given store. A MutationBatch entry (group commit)
 * is shown as one summary per member.
 */
public record EntrySummary(long index, String op, long inode, String path, long bytes, int blocks, int blocksInStore) {

    public Json.Object toJson() {
        return new Json.Object().put("index", index).put("op", op).put("inode", inode).put("path", path)
                .put("bytes", bytes).put("blocks", blocks).put("blocksInStore", blocksInStore);
    }

    public String toText() {
        String data = blocks == 0 ? "" : String.format("  %d bytes, %d/%d blocks in store", bytes, blocksInStore, blocks);
        return String.format("  #%-8d %-14s %s%s", index, op, path, data);
    }

    /**
     * @param paths inode → path of the namespace the entries were applied to; created names are added
     *     to it as they are seen, so a file created and written in the same report has its path
     * @param store where to look for the entry's blocks, or null not to look
     */
    public static List<EntrySummary> of(ChangelogEntry entry, Map<Long, String> paths, String volume,
                                        int blockSizeBytes, ObjectStore store) throws IOException {
        MetaRequest r = entry.getEntry().getRequest();
        if (!r.hasBatch()) {
            return List.of(summarize(entry.getIndex(), r, paths, volume, blockSizeBytes, store));
        }
        // Group commit: one line per member, all at the entry's index.
        List<EntrySummary> members = new ArrayList<>(r.getBatch().getRequestsCount());
        for (MetaRequest member : r.getBatch().getRequestsList()) {
            members.add(summarize(entry.getIndex(), member, paths, volume, blockSizeBytes, store));
        }
        return members;
    }

    private static EntrySummary summarize(long index, MetaRequest r, Map<Long, String> paths, String volume,
                                          int blockSizeBytes, ObjectStore store) throws IOException {
        String op = r.getOpCase().name().toLowerCase(java.util.Locale.ROOT);
        return switch (r.getOpCase()) {
            case CREATE -> {
                String path = child(paths, r.getCreate().getParent(), r.getCreate().getName().toString(StandardCharsets.UTF_8));
                paths.put(r.getCreate().getInode(), path);
                yield new EntrySummary(index, op, r.getCreate().getInode(), path, 0, 0, 0);
            }
            case COMMIT_SLICE -> {
                SliceRef slice = r.getCommitSlice().getSlice();
                long inode = r.getCommitSlice().getInode();
                int blocks = 0;
                int present = 0;
                if (slice.getSliceId() != 0) {
                    long size = Integer.toUnsignedLong(slice.getSliceSize());
                    blocks = BlockKey.blockCount(size, blockSizeBytes);
                    for (int i = 0; store != null && i < blocks; i++) {
                        BlockKey key = new BlockKey(volume, slice.getSliceId(), i, BlockKey.blockSize(size, blockSizeBytes, i));
                        present += store.head(key.objectKey()).isPresent() ? 1 : 0;
                    }
                }
                yield new EntrySummary(index, op, inode, pathOf(paths, inode), Integer.toUnsignedLong(slice.getLength()),
                        blocks, present);
            }
            case UNLINK -> new EntrySummary(index, op, 0,
                    child(paths, r.getUnlink().getParent(), r.getUnlink().getName().toString(StandardCharsets.UTF_8)), 0, 0, 0);
            case RMDIR -> new EntrySummary(index, op, 0,
                    child(paths, r.getRmdir().getParent(), r.getRmdir().getName().toString(StandardCharsets.UTF_8)), 0, 0, 0);
            case RENAME -> new EntrySummary(index, op, 0,
                    child(paths, r.getRename().getParent(), r.getRename().getName().toString(StandardCharsets.UTF_8)) + " -> "
                            + child(paths, r.getRename().getNewParent(), r.getRename().getNewName().toString(StandardCharsets.UTF_8)),
                    0, 0, 0);
            case LINK -> new EntrySummary(index, op, r.getLink().getInode(),
                    child(paths, r.getLink().getNewParent(), r.getLink().getNewName().toString(StandardCharsets.UTF_8)), 0, 0, 0);
            case SETATTR -> new EntrySummary(index, op, r.getSetattr().getInode(), pathOf(paths, r.getSetattr().getInode()), 0, 0, 0);
            case TRUNCATE -> new EntrySummary(index, op, r.getTruncate().getInode(), pathOf(paths, r.getTruncate().getInode()),
                    0, 0, 0);
            case FALLOCATE -> new EntrySummary(index, op, r.getFallocate().getInode(),
                    pathOf(paths, r.getFallocate().getInode()), r.getFallocate().getLength(), 0, 0);
            case SETXATTR -> new EntrySummary(index, op, r.getSetxattr().getInode(), pathOf(paths, r.getSetxattr().getInode()),
                    0, 0, 0);
            case REMOVEXATTR -> new EntrySummary(index, op, r.getRemovexattr().getInode(),
                    pathOf(paths, r.getRemovexattr().getInode()), 0, 0, 0);
            default -> new EntrySummary(index, op, 0, "", 0, 0, 0); // ids, sessions, locks, failover ops: no path
        };
    }

    /** Failover and replication bookkeeping: not client data, so not counted as RPO. */
    private static final java.util.Set<String> CONTROL_OPS = java.util.Set.of("fence", "promote", "follow_primary",
            "bootstrap", "set_data_watermark", "trim_changelog", "mirrored");

    /** Whether a client sent this entry (as opposed to the failover and replication machinery). */
    public boolean isClientOp() {
        return !CONTROL_OPS.contains(op);
    }

    /** Whether the entry changes the namespace a user sees (ids, sessions and locks do not). */
    public boolean touchesPath() {
        return !path.isEmpty();
    }

    private static String pathOf(Map<Long, String> paths, long inode) {
        return paths.getOrDefault(inode, "<inode " + inode + ">");
    }

    private static String child(Map<Long, String> paths, long parent, String name) {
        String p = pathOf(paths, parent);
        return p.equals("/") ? "/" + name : p + "/" + name;
    }
}
