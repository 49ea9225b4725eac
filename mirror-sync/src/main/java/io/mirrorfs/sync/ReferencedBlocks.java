package io.mirrorfs.sync;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.proto.ChunkReply;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.ReadDirQuery;
import io.mirrorfs.api.proto.SliceRef;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every block the metadata references, found by walking the namespace from the root: readdir (with
 * attributes) for the tree, then ReadChunkQuery for each chunk of each regular file. Every block of
 * every visible slice counts (a partly shadowed slice keeps all its blocks: slices are stored and
 * collected whole). The walk is not one snapshot: a file changed during it is seen before or after.
 * Bounded by {@link SyncVerifier#OBJECTS_MAX} slices; hard links are visited once.
 */
public final class ReferencedBlocks {
    private static final long ROOT_INODE = 1;
    private static final int PAGE = 1000;

    private final MirrorMetadata metadata;
    private final String volume;
    private final int blockSizeBytes;
    private long filesVisited;
    private long directoriesVisited;

    public ReferencedBlocks(MirrorMetadata metadata, String volume, int blockSizeBytes) {
        this.metadata = metadata;
        this.volume = volume;
        this.blockSizeBytes = blockSizeBytes;
    }

    public List<BlockRef> walk() throws IOException {
        List<BlockRef> out = new ArrayList<>();
        Set<Long> slices = new HashSet<>();
        Set<Long> linkedFiles = new HashSet<>();
        Deque<Long> directories = new ArrayDeque<>();
        directories.push(ROOT_INODE);
        while (!directories.isEmpty()) {
            long dir = directories.pop();
            directoriesVisited++;
            for (DirEntry entry : listAll(dir)) {
                if (entry.getType() == FileType.DIRECTORY) {
                    directories.push(entry.getInode());
                } else if (entry.getType() == FileType.REGULAR) {
                    if (entry.getAttr().getNlink() > 1 && !linkedFiles.add(entry.getInode())) {
                        continue;
                    }
                    filesVisited++;
                    addFile(entry.getInode(), entry.getAttr().getSize(), slices, out);
                }
            }
        }
        return out;
    }

    public long filesVisited() {
        return filesVisited;
    }

    public long directoriesVisited() {
        return directoriesVisited;
    }

    private List<DirEntry> listAll(long dir) throws IOException {
        List<DirEntry> entries = new ArrayList<>();
        com.google.protobuf.ByteString after = com.google.protobuf.ByteString.EMPTY;
        while (true) {
            MetaReply reply = metadata.query("ReadDirQuery", MetaQuery.newBuilder().setCaller(MetaOps.ROOT)
                    .setReaddir(ReadDirQuery.newBuilder().setInode(dir).setAfterName(after).setLimit(PAGE)
                            .setWithAttrs(true)).build());
            if (reply.getErrno() == Errno.ENOENT.code()) {
                return entries; // removed while we walked
            }
            if (reply.getErrno() != 0) {
                throw new IOException("readdir of inode " + dir + " on '" + metadata.groupName() + "' failed: "
                        + Errno.of(reply.getErrno()));
            }
            entries.addAll(reply.getReaddir().getEntriesList());
            if (reply.getReaddir().getEof() || reply.getReaddir().getEntriesCount() == 0) {
                return entries;
            }
            after = reply.getReaddir().getEntries(reply.getReaddir().getEntriesCount() - 1).getName();
        }
    }

    private void addFile(long inode, long sizeBytes, Set<Long> slices, List<BlockRef> out) throws IOException {
        long chunks = (sizeBytes + FsLimits.CHUNK_SIZE_BYTES - 1) / FsLimits.CHUNK_SIZE_BYTES;
        for (int chunk = 0; chunk < chunks; chunk++) {
            Optional<ChunkReply> reply = metadata.readChunk(inode, chunk);
            if (reply.isEmpty()) {
                return; // unlinked while we walked
            }
            for (SliceRef ref : reply.get().getSlicesList()) {
                if (ref.getSliceId() == 0 || !slices.add(ref.getSliceId())) {
                    continue;
                }
                if (slices.size() > SyncVerifier.OBJECTS_MAX) {
                    throw new IOException("more than " + SyncVerifier.OBJECTS_MAX + " slices referenced; verify in shards");
                }
                addSlice(inode, chunk, ref, out);
            }
        }
    }

    private void addSlice(long inode, int chunk, SliceRef ref, List<BlockRef> out) {
        long sliceSize = Integer.toUnsignedLong(ref.getSliceSize());
        int count = BlockKey.blockCount(sliceSize, blockSizeBytes);
        boolean crcKnown = ref.getBlockCrc32CCount() == count;
        for (int i = 0; i < count; i++) {
            int size = BlockKey.blockSize(sliceSize, blockSizeBytes, i);
            // The primary index of the commit is not known from a chunk list; 1 marks "present in metadata".
            out.add(new BlockRef(1, inode, chunk, new BlockKey(volume, ref.getSliceId(), i, size), size,
                    crcKnown ? ref.getBlockCrc32C(i) : 0, crcKnown));
        }
    }
}
