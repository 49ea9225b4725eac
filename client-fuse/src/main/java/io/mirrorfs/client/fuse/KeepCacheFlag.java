package io.mirrorfs.client.fuse;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * Sets libfuse2's {@code keep_cache} bit of a {@code struct fuse_file_info}. jnr-fuse maps the
 * bit-fields as opaque padding, so the bit is set in the native memory: on x86-64 and aarch64 the
 * struct is {@code int flags; unsigned long fh_old; int writepage; unsigned direct_io:1,
 * keep_cache:1, ...; uint64_t fh; ...}, the bit-field word sits right before {@code fh} and
 * bit-fields fill from the least significant bit. The layout is checked once against jnr-fuse's
 * own offset of {@code fh}; if it differs the flag is never set (reads still correct, only slower).
 */
final class KeepCacheFlag {
    private static final int BITFIELD_OFFSET = 20;
    private static final int FH_OFFSET = 24;
    private static final int KEEP_CACHE_BIT = 1 << 1;
    static final boolean LAYOUT_KNOWN = layoutMatches();

    private KeepCacheFlag() {}

    static void set(FuseFileInfo fi) {
        if (!LAYOUT_KNOWN) {
            return;
        }
        Pointer p = Struct.getMemory(fi);
        p.putInt(BITFIELD_OFFSET, p.getInt(BITFIELD_OFFSET) | KEEP_CACHE_BIT);
    }

    /** Whether jnr-fuse puts {@code fh} where the layout above says (probed on scratch memory). */
    private static boolean layoutMatches() {
        Pointer scratch = Memory.allocateDirect(Runtime.getSystemRuntime(), 64);
        FuseFileInfo probe = FuseFileInfo.of(scratch);
        long marker = 0x1122334455667788L;
        probe.fh.set(marker);
        return Struct.size(probe) == FH_OFFSET + 16 && scratch.getLong(FH_OFFSET) == marker
                && scratch.getInt(BITFIELD_OFFSET) == 0;
    }
}
