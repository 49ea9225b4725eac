package io.mirrorfs.api;

/**
 * Names of block objects (DESIGN §2): {@code {volume}/chunks/{id/1e6}/{id/1e3}/{id}_{block}_{size}}.
 * The size is in the name so that a listing alone tells which objects are complete, and the two
 * directory levels keep any one prefix to at most a thousand slices.
 */
public record BlockKey(String volume, long sliceId, int blockIndex, int blockSizeBytes) {

    public BlockKey {
        if (volume == null || volume.isEmpty() || volume.contains("/")) {
            throw new IllegalArgumentException("volume name must be non-empty and contain no '/': " + volume);
        }
        if (sliceId <= 0 || blockIndex < 0 || blockSizeBytes <= 0 || blockSizeBytes > FsLimits.BLOCK_SIZE_BYTES_MAX) {
            throw new IllegalArgumentException(
                    "bad block key: slice " + sliceId + " block " + blockIndex + " size " + blockSizeBytes);
        }
    }

    public String objectKey() {
        return volume + "/chunks/" + (sliceId / 1_000_000) + "/" + (sliceId / 1_000) + "/"
                + sliceId + "_" + blockIndex + "_" + blockSizeBytes;
    }

    /** How many blocks a slice of this size has, given the volume's block size. */
    public static int blockCount(long sliceSizeBytes, int blockSizeBytes) {
        return (int) ((sliceSizeBytes + blockSizeBytes - 1) / blockSizeBytes);
    }

    /** The size of block {@code index} of a slice: full blocks, then the remainder. */
    public static int blockSize(long sliceSizeBytes, int blockSizeBytes, int index) {
        long start = (long) index * blockSizeBytes;
        if (index < 0 || start >= sliceSizeBytes) {
            throw new IllegalArgumentException("block " + index + " outside slice of " + sliceSizeBytes + " bytes");
        }
        return (int) Math.min(blockSizeBytes, sliceSizeBytes - start);
    }

    /** Parses a key written by {@link #objectKey()}; returns null for anything else. */
    public static BlockKey parse(String key) {
        int chunks = key.indexOf("/chunks/");
        if (chunks <= 0) {
            return null;
        }
        String name = key.substring(key.lastIndexOf('/') + 1);
        String[] parts = name.split("_");
        if (parts.length != 3) {
            return null;
        }
        try {
            BlockKey parsed = new BlockKey(key.substring(0, chunks), Long.parseLong(parts[0]),
                    Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
            return parsed.objectKey().equals(key) ? parsed : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
