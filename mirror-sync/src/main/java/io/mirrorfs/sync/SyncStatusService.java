package io.mirrorfs.sync;

import io.grpc.stub.StreamObserver;
import io.mirrorfs.api.proto.SyncAdminGrpc;
import io.mirrorfs.api.proto.SyncStatusReply;
import io.mirrorfs.api.proto.SyncStatusRequest;
import java.util.function.Supplier;

/** The SyncAdmin gRPC service (topology field {@code sync: HOST:PORT}): answers with the daemon's current status. */
final class SyncStatusService extends SyncAdminGrpc.SyncAdminImplBase {
    private final Supplier<SyncStatusReply> status;

    SyncStatusService(Supplier<SyncStatusReply> status) {
        this.status = status;
    }

    @Override
    public void syncStatus(SyncStatusRequest request, StreamObserver<SyncStatusReply> observer) {
        observer.onNext(status.get());
        observer.onCompleted();
    }
}
