package io.mirrorfs.meta.mirror;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.GetAttrQuery;
import io.mirrorfs.api.proto.GetXattrQuery;
import io.mirrorfs.api.proto.ListXattrQuery;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.ReadChunkQuery;
import io.mirrorfs.api.proto.ReadDirQuery;
import io.mirrorfs.api.proto.ReadLinkQuery;
import io.mirrorfs.api.proto.SliceRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A SHA-256 of a namespace as clients see it, read through any {@link MetadataClient}: every entry
 * (name, inode, type) and every inode's full Attr (mode, uid, gid, size, nlink, times, rdev, parent),
 * symlink targets, xattrs and each chunk's resolved slice runs (slice ids, offsets, lengths, CRCs).
 * A mirror must reproduce all of it, so two equal digests mean equal namespaces from the outside;
 * used to compare a primary and a mirror without reaching into either's RocksDB.
 *
 * <p>Directories are walked breadth-first from the root, entries in readdir order (bytewise name order
 * on both sides). Hard links are hashed once per name. Bounded by {@code inodesMax}.
 */
public final class TreeDigest {
    private static final Caller ROOT = Caller.newBuilder().setUid(0).setGid(0).build();
    private static final int PAGE_ENTRIES = 256;

    private final MetadataClient client;
    private final Duration queryTimeout;
    private final long inodesMax;
    private final MessageDigest sha;
    private long inodesSeen;

    private TreeDigest(MetadataClient client, Duration queryTimeout, long inodesMax) {
        this.client = client;
        this.queryTimeout = queryTimeout;
        this.inodesMax = inodesMax;
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
    }

    /** The digest of the whole namespace under the root; fails if it holds more than inodesMax inodes. */
    public static byte[] of(MetadataClient client, Duration queryTimeout, long inodesMax) throws IOException, InterruptedException {
        TreeDigest walk = new TreeDigest(client, queryTimeout, inodesMax);
        walk.walk();
        return walk.sha.digest();
    }

    private void walk() throws IOException, InterruptedException {
        Deque<Long> dirs = new ArrayDeque<>();
        inode(FsLimits.ROOT_INODE);
        dirs.add(FsLimits.ROOT_INODE);
        while (!dirs.isEmpty()) {
            long dir = dirs.poll();
            putLong(dir);
            ByteString after = ByteString.EMPTY;
            boolean eof = false;
            while (!eof) {
                MetaReply page = ask(MetaQuery.newBuilder().setReaddir(ReadDirQuery.newBuilder().setInode(dir)
                        .setAfterName(after).setLimit(PAGE_ENTRIES)));
                for (DirEntry e : page.getReaddir().getEntriesList()) {
                    putBytes(e.getName());
                    putLong(e.getInode());
                    putLong(e.getType().getNumber());
                    if (inode(e.getInode()).getType() == FileType.DIRECTORY) {
                        dirs.add(e.getInode());
                    }
                    after = e.getName();
                }
                eof = page.getReaddir().getEof() || page.getReaddir().getEntriesCount() == 0;
            }
            putLong(-1); // end of this directory: moving an entry between directories changes the digest
        }
    }

    /** Hashes one inode (attrs, then what its type carries) and returns its attrs. */
    private Attr inode(long inode) throws IOException, InterruptedException {
        if (++inodesSeen > inodesMax) {
            throw new IOException("namespace has more than " + inodesMax + " inodes (names): raise inodesMax");
        }
        Attr a = ask(MetaQuery.newBuilder().setGetattr(GetAttrQuery.newBuilder().setInode(inode))).getAttr();
        for (long field : new long[] {a.getInode(), a.getTypeValue(), a.getMode(), a.getUid(), a.getGid(), a.getSize(),
                a.getNlink(), a.getAtimeNs(), a.getMtimeNs(), a.getCtimeNs(), a.getRdev(), a.getParent()}) {
            putLong(field);
        }
        if (a.getType() == FileType.SYMLINK) {
            putBytes(ask(MetaQuery.newBuilder().setReadlink(ReadLinkQuery.newBuilder().setInode(inode))).getValue());
        }
        if (a.getType() == FileType.REGULAR) {
            long chunks = (a.getSize() + FsLimits.CHUNK_SIZE_BYTES - 1) / FsLimits.CHUNK_SIZE_BYTES;
            for (int chunk = 0; chunk < chunks; chunk++) {
                MetaReply r = ask(MetaQuery.newBuilder().setReadChunk(ReadChunkQuery.newBuilder().setInode(inode).setChunkIndex(chunk)));
                putLong(r.getChunk().getSlicesCount());
                for (SliceRef s : r.getChunk().getSlicesList()) {
                    putLong(s.getSliceId());
                    putLong(s.getSliceSize());
                    putLong(s.getOffsetInSlice());
                    putLong(s.getLength());
                    putLong(s.getPositionInChunk());
                    s.getBlockCrc32CList().forEach(crc -> putLong(crc));
                }
            }
        }
        MetaReply names = ask(MetaQuery.newBuilder().setListxattr(ListXattrQuery.newBuilder().setInode(inode)));
        for (ByteString name : names.getXattrNames().getNamesList()) {
            putBytes(name);
            putBytes(ask(MetaQuery.newBuilder().setGetxattr(GetXattrQuery.newBuilder().setInode(inode).setName(name))).getValue());
        }
        return a;
    }

    private MetaReply ask(MetaQuery.Builder query) throws IOException, InterruptedException {
        MetaReply reply;
        try {
            reply = client.query(query.setCaller(ROOT).build()).get(queryTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("tree digest: " + query.getQueryCase() + " failed", e);
        }
        if (reply.getErrno() != 0) {
            // A concurrent change (or a broken namespace): a digest of a moving tree means nothing.
            throw new IOException("tree digest: " + query.getQueryCase() + " answered errno " + reply.getErrno());
        }
        return reply;
    }

    private void putLong(long v) {
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(v).array());
    }

    private void putBytes(ByteString b) {
        putLong(b.size());
        sha.update(b.asReadOnlyByteBuffer());
    }
}
