package io.mirrorfs.client.vfs;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.proto.DirEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * An open directory: the entries read so far, in the server's order, fetched a page at a time as
 * the kernel asks for more. Positions are indexes into this list (0 = ".", 1 = ".."), so a
 * readdir resumed at any offset continues exactly where the kernel stopped.
 */
final class DirHandle {
    final long inode;
    final List<DirEntry> entries = new ArrayList<>();
    ByteString cursor = ByteString.EMPTY;
    boolean eof;

    DirHandle(long inode) {
        this.inode = inode;
    }
}
