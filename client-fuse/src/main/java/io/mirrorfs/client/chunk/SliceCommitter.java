package io.mirrorfs.client.chunk;

import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.client.FsException;

/** The metadata side of a write: records a slice whose blocks are all durable. */
public interface SliceCommitter {
    void commit(long inode, int chunkIndex, SliceRef slice) throws FsException;

    /** A new cluster-unique slice id (from a pre-allocated batch). */
    long nextSliceId() throws FsException;
}
