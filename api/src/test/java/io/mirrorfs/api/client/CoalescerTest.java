package io.mirrorfs.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.SetXattrOp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The coalescing contract of {@link Coalescer}, against a fake transport that the test completes by hand. */
class CoalescerTest {
    /** Records every request "sent" and lets the test answer it. */
    private static final class FakeTransport {
        final List<MetaQuery> sent = new ArrayList<>();
        final List<CompletableFuture<MetaReply>> answers = new ArrayList<>();

        CompletableFuture<MetaReply> send(MetaQuery q) {
            sent.add(q);
            CompletableFuture<MetaReply> f = new CompletableFuture<>();
            answers.add(f);
            return f;
        }

        /** Answers request i echoing each member's inode as the reply's attr inode. */
        void echo(int i) {
            MetaQuery q = sent.get(i);
            if (q.getBatchCount() == 0) {
                answers.get(i).complete(echoOf(q));
                return;
            }
            MetaReply.Builder r = MetaReply.newBuilder();
            q.getBatchList().forEach(m -> r.addBatch(echoOf(m)));
            answers.get(i).complete(r.build());
        }

        private static MetaReply echoOf(MetaQuery q) {
            return MetaReply.newBuilder().setAttr(Attr.newBuilder().setInode(q.getGetattr().getInode())).build();
        }
    }

    private static MetaQuery getattr(long inode) {
        return MetaOps.getattr(MetaOps.ROOT, inode);
    }

    @Test
    void aLoneReadGoesOutAtOnceAndUnwrapped() throws Exception {
        FakeTransport t = new FakeTransport();
        Coalescer<MetaQuery> b = Coalescer.reads(64, 1, t::send);
        CompletableFuture<MetaReply> r = b.submit(getattr(7));
        assertThat(t.sent).containsExactly(getattr(7));
        t.echo(0);
        assertThat(r.get().getAttr().getInode()).isEqualTo(7);
    }

    @Test
    void readsIssuedWhileTheWindowIsFullLeaveTogetherAndGetTheirOwnReplies() throws Exception {
        FakeTransport t = new FakeTransport();
        Coalescer<MetaQuery> b = Coalescer.reads(64, 1, t::send);
        CompletableFuture<MetaReply> first = b.submit(getattr(1));
        List<CompletableFuture<MetaReply>> queued = new ArrayList<>();
        for (long i = 2; i <= 5; i++) {
            queued.add(b.submit(getattr(i)));
        }
        assertThat(t.sent).hasSize(1);
        t.echo(0);
        assertThat(first.get().getAttr().getInode()).isEqualTo(1);
        assertThat(t.sent).hasSize(2);
        assertThat(t.sent.get(1).getBatchList()).containsExactly(getattr(2), getattr(3), getattr(4), getattr(5));
        t.echo(1);
        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).get().getAttr().getInode()).isEqualTo(i + 2);
        }
    }

    @Test
    void batchesAreCappedAtTheirSize() {
        FakeTransport t = new FakeTransport();
        Coalescer<MetaQuery> b = Coalescer.reads(3, 1, t::send);
        b.submit(getattr(0));
        for (long i = 1; i <= 7; i++) {
            b.submit(getattr(i));
        }
        t.echo(0);
        assertThat(t.sent.get(1).getBatchCount()).isEqualTo(3);
        t.echo(1);
        assertThat(t.sent.get(2).getBatchCount()).isEqualTo(3);
        t.echo(2);
        assertThat(t.sent.get(3)).isEqualTo(getattr(7));
    }

    @Test
    void aFailedBatchFailsEveryMemberAndTheNextBatchStillGoes() {
        FakeTransport t = new FakeTransport();
        Coalescer<MetaQuery> b = Coalescer.reads(64, 1, t::send);
        b.submit(getattr(0));
        CompletableFuture<MetaReply> a = b.submit(getattr(1));
        CompletableFuture<MetaReply> c = b.submit(getattr(2));
        t.echo(0);
        IOException down = new IOException("leader gone");
        CompletableFuture<MetaReply> later = b.submit(getattr(3));
        t.answers.get(1).completeExceptionally(down);
        assertThatThrownBy(a::get).isInstanceOf(ExecutionException.class).hasCause(down);
        assertThatThrownBy(c::get).isInstanceOf(ExecutionException.class).hasCause(down);
        assertThat(t.sent).hasSize(3);
        t.echo(2);
        assertThat(later.join().getAttr().getInode()).isEqualTo(3);
    }

    @Test
    void aReplyWithTheWrongNumberOfMembersFailsTheBatch() {
        FakeTransport t = new FakeTransport();
        Coalescer<MetaQuery> b = Coalescer.reads(64, 1, t::send);
        b.submit(getattr(0));
        CompletableFuture<MetaReply> a = b.submit(getattr(1));
        b.submit(getattr(2));
        t.echo(0);
        t.answers.get(1).complete(MetaReply.newBuilder().addBatch(MetaReply.getDefaultInstance()).build());
        assertThatThrownBy(a::get).hasCauseInstanceOf(IllegalStateException.class);
    }

    private static MetaRequest setxattr(long seq, int valueBytes) {
        return MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(5).setSeq(seq))
                .setSetxattr(SetXattrOp.newBuilder().setInode(seq).setName(MetaOps.bytes("user.v"))
                        .setValue(ByteString.copyFrom(new byte[valueBytes]))).build();
    }

    @Test
    void mutationsWaitingTogetherBecomeOneMutationBatchUnderTheByteCap() {
        List<MetaRequest> sent = new ArrayList<>();
        List<CompletableFuture<MetaReply>> answers = new ArrayList<>();
        Coalescer<MetaRequest> b = Coalescer.mutations(64, 1, r -> {
            sent.add(r);
            CompletableFuture<MetaReply> f = new CompletableFuture<>();
            answers.add(f);
            return f;
        });
        CompletableFuture<MetaReply> lone = b.submit(setxattr(1, 10));
        assertThat(sent).containsExactly(setxattr(1, 10)); // nothing in flight: out at once, unwrapped
        List<CompletableFuture<MetaReply>> queued = new ArrayList<>();
        int big = 300 * 1024;
        for (long seq = 2; seq <= 6; seq++) {
            queued.add(b.submit(setxattr(seq, big)));
        }
        answers.get(0).complete(MetaReply.newBuilder().setIndex(7).build());
        assertThat(lone.join().getIndex()).isEqualTo(7);
        MetaRequest envelope = sent.get(1);
        assertThat(envelope.hasRequestId()).as("the envelope has no id of its own").isFalse();
        assertThat(envelope.getBatch().getRequestsList()).as("1 MiB cap: three 300 KiB members")
                .containsExactly(setxattr(2, big), setxattr(3, big), setxattr(4, big));
        MetaReply.Builder replies = MetaReply.newBuilder();
        for (int i = 0; i < 3; i++) {
            replies.addBatch(MetaReply.newBuilder().setErrno(i == 1 ? 17 : 0).setIndex(8));
        }
        answers.get(1).complete(replies.build());
        assertThat(queued.get(0).join().getErrno()).isZero();
        assertThat(queued.get(1).join().getErrno()).as("each member gets its own reply").isEqualTo(17);
        assertThat(sent.get(2).getBatch().getRequestsCount()).isEqualTo(2);
    }
}
