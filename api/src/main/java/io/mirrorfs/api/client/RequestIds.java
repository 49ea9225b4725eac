package io.mirrorfs.api.client;

import io.mirrorfs.api.proto.RequestId;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes request ids for mutations: a random 64-bit client id for this process's session and a
 * sequence number. The state machine's dedup table remembers applied ids, so a mutation retried with
 * the same id (after a timeout or a leader change) is applied once, however long after the first try.
 * Retries must reuse the id they got here; only new mutations ask for a new one.
 */
public final class RequestIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final long clientId;
    private final AtomicLong seq = new AtomicLong();

    public RequestIds() {
        this(randomNonZero());
    }

    public RequestIds(long clientId) {
        if (clientId == 0) {
            throw new IllegalArgumentException("client id 0 is reserved for 'no id'");
        }
        this.clientId = clientId;
    }

    public long clientId() {
        return clientId;
    }

    public RequestId next() {
        return RequestId.newBuilder().setClientId(clientId).setSeq(seq.incrementAndGet()).build();
    }

    private static long randomNonZero() {
        long id;
        do {
            id = RANDOM.nextLong();
        } while (id == 0);
        return id;
    }
}
