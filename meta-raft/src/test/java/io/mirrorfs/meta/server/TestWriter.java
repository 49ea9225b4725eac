package io.mirrorfs.meta.server;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import io.mirrorfs.api.proto.RequestId;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** Writes a small namespace through a real client: directories and files under the root, one request id each. */
final class TestWriter {
    private static final long TIMEOUT_SECONDS = 30;
    private static final AtomicLong CLIENT_IDS = new AtomicLong(System.nanoTime() & 0xffff_ffffL);

    private final MetadataClient client;
    private final long clientId = CLIENT_IDS.incrementAndGet();
    private long seq;
    private long nextInode;
    private long inodesLeft;

    TestWriter(MetadataClient client) {
        this.client = client;
    }

    private RequestId nextId() {
        return RequestId.newBuilder().setClientId(clientId).setSeq(++seq).build();
    }

    MetaReply mutate(MetaRequest request) throws IOException {
        try {
            return client.mutate(request).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("mutation failed: " + request.getOpCase(), e);
        }
    }

    /** A request of this writer's with a fresh id (the caller sets the op). */
    MetaReply mutate(MetaRequest.Builder request) throws IOException {
        return mutate(request.setRequestId(nextId()).setCaller(MetaOps.ROOT).build());
    }

    MetaReply format(String volume) throws IOException {
        return mutate(MetaOps.format(nextId(), volume, "file:///tmp/none", 0));
    }

    private long newInode() throws IOException {
        if (inodesLeft == 0) {
            MetaReply r = mutate(MetaOps.allocateInodes(nextId(), 64));
            if (r.getErrno() != 0) {
                throw new IOException("inode allocation refused with errno " + r.getErrno());
            }
            nextInode = r.getIds().getFirst();
            inodesLeft = r.getIds().getCount();
        }
        inodesLeft--;
        return nextInode++;
    }

    /** Creates a directory {@code name} under the root with {@code files} files in it; every reply must succeed. */
    void dirWithFiles(String name, int files) throws IOException {
        long dir = ok(mutate(MetaOps.create(nextId(), MetaOps.ROOT, 1, name, FileType.DIRECTORY, 0755, newInode())))
                .getAttr().getInode();
        for (int i = 0; i < files; i++) {
            ok(mutate(MetaOps.create(nextId(), MetaOps.ROOT, dir, "f" + i, FileType.REGULAR, 0644, newInode())));
        }
    }

    /** A client mutation that needs no allocated id (a mirror refuses it before allocation could). */
    MetaReply mkdirAt(long inode, String name) throws IOException {
        return mutate(MetaOps.create(nextId(), MetaOps.ROOT, 1, name, FileType.DIRECTORY, 0755, inode));
    }

    static MetaReply ok(MetaReply r) throws IOException {
        if (r.getErrno() != 0) {
            throw new IOException("refused with errno " + r.getErrno() + ": " + r);
        }
        return r;
    }

    static MirrorState mirrorState(MetadataClient client) throws Exception {
        MetaReply r = client.query(MetaQuery.newBuilder().setMirrorState(MirrorStateQuery.getDefaultInstance()).build())
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (r.getErrno() != 0) {
            throw new IOException("MirrorStateQuery failed with errno " + r.getErrno());
        }
        return r.getMirrorState();
    }
}
