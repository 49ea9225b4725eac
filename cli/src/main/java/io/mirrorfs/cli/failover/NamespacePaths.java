package io.mirrorfs.cli.failover;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.ReadDirQuery;
import io.mirrorfs.api.client.MetaOps;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Inode → path of one namespace, from a walk of its directory tree (reads only). Reports need paths,
 * and changelog entries name inodes. Bounded: past {@link #ENTRIES_MAX} entries the walk stops and
 * unknown inodes are reported by number.
 */
public final class NamespacePaths {
    public static final int ENTRIES_MAX = 1_000_000;
    private static final int PAGE = 1000;
    private static final long CALL_MILLIS_MAX = 30_000;

    private final Map<Long, String> paths = new HashMap<>();
    private final Map<Long, Long> sizes = new HashMap<>();
    private boolean complete = true;

    private NamespacePaths() {
        paths.put(FsLimits.ROOT_INODE, "/");
    }

    public static NamespacePaths walk(MetadataClient client) throws Exception {
        NamespacePaths p = new NamespacePaths();
        Deque<Long> dirs = new ArrayDeque<>();
        dirs.push(FsLimits.ROOT_INODE);
        while (!dirs.isEmpty()) {
            long dir = dirs.pop();
            ByteString after = ByteString.EMPTY;
            while (true) {
                MetaReply reply = client.query(MetaQuery.newBuilder().setCaller(MetaOps.ROOT)
                        .setReaddir(ReadDirQuery.newBuilder().setInode(dir).setAfterName(after).setLimit(PAGE)
                                .setWithAttrs(true)).build()).get(CALL_MILLIS_MAX, TimeUnit.MILLISECONDS);
                if (reply.getErrno() != 0) {
                    p.complete = false;
                    break;
                }
                for (DirEntry e : reply.getReaddir().getEntriesList()) {
                    if (p.paths.size() >= ENTRIES_MAX) {
                        p.complete = false;
                        return p;
                    }
                    String name = e.getName().toString(StandardCharsets.UTF_8);
                    String parent = p.paths.get(dir);
                    p.paths.putIfAbsent(e.getInode(), parent.equals("/") ? "/" + name : parent + "/" + name);
                    p.sizes.put(e.getInode(), e.getAttr().getSize());
                    if (e.getType() == FileType.DIRECTORY) {
                        dirs.push(e.getInode());
                    }
                    after = e.getName();
                }
                if (reply.getReaddir().getEof() || reply.getReaddir().getEntriesCount() == 0) {
                    break;
                }
            }
        }
        return p;
    }

    public Optional<String> path(long inode) {
        return Optional.ofNullable(paths.get(inode));
    }

    public Optional<Long> size(long inode) {
        return Optional.ofNullable(sizes.get(inode));
    }

    public Map<Long, String> all() {
        return Map.copyOf(paths);
    }

    public boolean complete() {
        return complete;
    }
}
