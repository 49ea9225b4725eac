package io.mirrorfs.client.testing;

import java.util.Arrays;

/**
 * The reference content of one file: a byte array with POSIX semantics for the operations a random
 * exerciser applies (a write past the end leaves a hole of zeros; truncate drops or zero-fills;
 * punched or zeroed ranges read as zeros and never move the size). Capacity grows by doubling, so
 * long runs of small writes cost no copy each.
 */
public final class FileBytesModel {
    private byte[] bytes = new byte[0];
    private int size;

    public int size() {
        return size;
    }

    public void write(long offset, byte[] data, int from, int length) {
        if (length == 0) {
            return; // a write of nothing does not extend the file
        }
        setSize(Math.max(size, Math.toIntExact(offset + length)));
        System.arraycopy(data, from, bytes, (int) offset, length);
    }

    /** truncate(2) / ftruncate(2): down drops bytes, up adds zeros. */
    public void truncate(long length) {
        int newSize = Math.toIntExact(length);
        if (newSize < size) {
            Arrays.fill(bytes, newSize, size, (byte) 0); // so a later extension reads zeros
        }
        setSize(newSize);
    }

    /** Zeros [offset, offset + length) inside the current size; the size does not change. */
    public void zero(long offset, long length) {
        long end = Math.min(size, offset + length);
        if (offset < end) {
            Arrays.fill(bytes, (int) offset, (int) end, (byte) 0);
        }
    }

    /** Extends the size to at least {@code length} with zeros (fallocate without KEEP_SIZE). */
    public void extendTo(long length) {
        if (length > size) {
            setSize(Math.toIntExact(length));
        }
    }

    /** What read(2) of {@code length} bytes at {@code offset} returns: clipped at the end of file. */
    public byte[] read(long offset, int length) {
        if (offset >= size) {
            return new byte[0];
        }
        return Arrays.copyOfRange(bytes, (int) offset, (int) Math.min(size, offset + length));
    }

    /**
     * The first file offset at which {@code got} (read at {@code offset}) differs from the model,
     * or -1 if it matches in content and length.
     */
    public long firstDifference(long offset, byte[] got) {
        byte[] expected = read(offset, got.length);
        int mismatch = Arrays.mismatch(expected, got);
        return mismatch < 0 ? -1 : offset + mismatch;
    }

    /** Invariant: every byte of the array past {@code size} is zero (truncate zero-fills what it drops). */
    private void setSize(int newSize) {
        if (newSize > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.max(newSize, Math.min(Integer.MAX_VALUE - 8L, 2L * bytes.length)));
        }
        size = newSize;
    }
}
