package io.mirrorfs.client.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.client.chunk.BlockReadException;
import io.mirrorfs.client.chunk.Crc32c;
import io.mirrorfs.client.chunk.MirrorBlockSource;
import io.mirrorfs.client.testing.MemoryStore;
import io.mirrorfs.store.ObjectNotFoundException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Blocks on a mirror mount: the mirror's store first, the primary's when missing or corrupt, always verified. */
class MirrorBlockSourceTest {
    private final MemoryStore mirror = new MemoryStore();
    private final MemoryStore primary = new MemoryStore();
    private final byte[] data = "the bytes the metadata names".getBytes(StandardCharsets.UTF_8);
    private final BlockKey key = new BlockKey("vol", 42, 0, data.length);
    private final int crc = Crc32c.of(data);

    @Test
    void readsTheMirrorsCopyWhenItHasOne() throws Exception {
        mirror.objects.put(key.objectKey(), data.clone());
        MirrorBlockSource source = new MirrorBlockSource(mirror, () -> primary, true);
        assertArrayEquals(data, source.read(key, crc));
        assertEquals(0, primary.gets.get());
    }

    @Test
    void aBlockNotYetSyncedComesFromThePrimaryAndIsKeptOnlyWhenAsked() throws Exception {
        primary.objects.put(key.objectKey(), data.clone());
        assertArrayEquals(data, new MirrorBlockSource(mirror, () -> primary, false).read(key, crc));
        assertFalse(mirror.objects.containsKey(key.objectKey()));

        MirrorBlockSource keeping = new MirrorBlockSource(mirror, () -> primary, true);
        assertArrayEquals(data, keeping.read(key, crc));
        assertArrayEquals(data, mirror.objects.get(key.objectKey()));
        assertEquals(1, keeping.blocksKept());
    }

    @Test
    void aCorruptMirrorCopyIsNeitherReturnedNorOverwritten() throws Exception {
        byte[] corrupt = data.clone();
        corrupt[0] ^= 1;
        mirror.objects.put(key.objectKey(), corrupt);
        primary.objects.put(key.objectKey(), data.clone());
        MirrorBlockSource source = new MirrorBlockSource(mirror, () -> primary, true);
        assertArrayEquals(data, source.read(key, crc));
        assertArrayEquals(corrupt, mirror.objects.get(key.objectKey()), "left for verify/repair, never overwritten");
        assertEquals(0, source.blocksKept());
    }

    @Test
    void bytesThatVerifyNowhereAreAnErrorNotData() {
        byte[] corrupt = data.clone();
        corrupt[3] ^= 1;
        primary.objects.put(key.objectKey(), corrupt);
        MirrorBlockSource source = new MirrorBlockSource(mirror, () -> primary, true);
        BlockReadException e = assertThrows(BlockReadException.class, () -> source.read(key, crc));
        assertTrue(e.getMessage().contains(key.objectKey()), e.getMessage());
        assertFalse(mirror.objects.containsKey(key.objectKey()));
        primary.objects.clear();
        assertThrows(ObjectNotFoundException.class, () -> source.read(key, crc));
    }
}
