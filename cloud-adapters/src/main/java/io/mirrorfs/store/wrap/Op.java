package io.mirrorfs.store.wrap;

/** The operations of {@link io.mirrorfs.store.ObjectStore}, as wrappers see them. */
public enum Op {
    PUT, GET, GET_RANGE, HEAD, DELETE, LIST, COPY, CHECK_ACCESS;

    /** Operations that move object bytes (their time grows with size). */
    public boolean movesData() {
        return this == PUT || this == GET || this == GET_RANGE;
    }
}
