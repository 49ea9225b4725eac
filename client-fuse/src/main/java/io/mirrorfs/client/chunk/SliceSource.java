package io.mirrorfs.client.chunk;

import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.client.FsException;
import java.util.List;

/** The metadata side of a read: the slice list of one chunk, in commit order (later shadows earlier). */
public interface SliceSource {
    List<SliceRef> slices(long inode, int chunkIndex) throws FsException;
}
