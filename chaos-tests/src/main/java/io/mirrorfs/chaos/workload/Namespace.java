package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.MetadataUnavailableException;
import io.mirrorfs.api.client.InodeAllocator;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.SetXattrOp;
import io.mirrorfs.api.proto.GetXattrQuery;
import io.mirrorfs.api.proto.MetaQuery;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The few namespace operations the workloads need, over a {@link MetadataClient}, as root. Set-up
 * steps (format, mkdir) are retried with the same request id until a deadline, so they are applied
 * exactly once even across a leader change.
 */
public final class Namespace {
    public static final String REGISTER_XATTR = "user.chaos.register";
    private static final int READDIR_PAGE = 1000;
    private static final int READDIR_PAGES_MAX = 10_000;

    private final MetadataClient client;
    private final RequestIds ids;
    private final InodeAllocator inodes;
    private final Duration setupTimeout;

    public Namespace(MetadataClient client, RequestIds ids, Duration setupTimeout) {
        this.client = client;
        this.ids = ids;
        this.inodes = new InodeAllocator(client, ids, 64);
        this.setupTimeout = setupTimeout;
    }

    public MetadataClient client() {
        return client;
    }

    public RequestIds ids() {
        return ids;
    }

    public InodeAllocator inodes() {
        return inodes;
    }

    public void format(String volume) throws Exception {
        expectOk("format", setupMutation(MetaOps.format(ids.next(), volume, "file:///chaos", 0)));
    }

    /** Creates a file or directory under {@code parent}; returns its inode. */
    public long create(long parent, String name, FileType type) throws Exception {
        long inode = nextInode();
        int mode = type == FileType.DIRECTORY ? 0755 : 0644;
        expectOk("create " + name, setupMutation(MetaOps.create(ids.next(), MetaOps.ROOT, parent, name, type, mode, inode)));
        return inode;
    }

    public long mkdirInRoot(String name) throws Exception {
        return create(FsLimits.ROOT_INODE, name, FileType.DIRECTORY);
    }

    public static MetaRequest setRegister(io.mirrorfs.api.proto.RequestId id, long inode, String value) {
        return MetaRequest.newBuilder().setRequestId(id).setCaller(MetaOps.ROOT)
                .setSetxattr(SetXattrOp.newBuilder().setInode(inode).setName(MetaOps.bytes(REGISTER_XATTR))
                        .setValue(MetaOps.bytes(value)))
                .build();
    }

    public static MetaQuery getRegister(long inode) {
        return MetaQuery.newBuilder().setCaller(MetaOps.ROOT)
                .setGetxattr(GetXattrQuery.newBuilder().setInode(inode).setName(MetaOps.bytes(REGISTER_XATTR)))
                .build();
    }

    /** Lists a directory with linearizable reads as (name, inode) pairs, without "." and "..". */
    public List<Map.Entry<String, Long>> list(long dir, Duration timeout) throws Exception {
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        String after = "";
        for (int page = 0; page < READDIR_PAGES_MAX; page++) {
            MetaReply reply = client.query(MetaOps.readdir(MetaOps.ROOT, dir, after, READDIR_PAGE))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            expectOk("readdir", reply);
            for (DirEntry e : reply.getReaddir().getEntriesList()) {
                String name = e.getName().toStringUtf8();
                if (!name.equals(".") && !name.equals("..")) {
                    out.add(new AbstractMap.SimpleImmutableEntry<>(name, e.getInode()));
                }
                after = name;
            }
            if (reply.getReaddir().getEof() || reply.getReaddir().getEntriesCount() == 0) {
                return out;
            }
        }
        throw new IllegalStateException("readdir of " + dir + " did not reach its end in " + READDIR_PAGES_MAX + " pages");
    }

    private MetaReply setupMutation(MetaRequest request) throws Exception {
        return mutateRetrying(client, request, setupTimeout);
    }

    /**
     * Sends a mutation, and again with the same request id while the group is unavailable (a loaded
     * machine can make a first write outlast the client's deadline), until {@code timeout}. The state
     * machine's dedup table applies it once however many times it is sent. For set-up and barriers,
     * not for recorded operations (those must show the client's real outcome).
     */
    public static MetaReply mutateRetrying(MetadataClient client, MetaRequest request, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                return client.mutate(request).get(remainingMillis, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof MetadataUnavailableException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    /** An inode from the allocator, retried like {@link #setupMutation} while the group is unavailable. */
    private long nextInode() throws Exception {
        long deadline = System.nanoTime() + setupTimeout.toNanos();
        while (true) {
            try {
                return inodes.next();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof MetadataUnavailableException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    private static void expectOk(String what, MetaReply reply) {
        if (reply.getErrno() != 0) {
            throw new IllegalStateException(what + " failed: " + Errno.of(reply.getErrno()));
        }
    }
}
