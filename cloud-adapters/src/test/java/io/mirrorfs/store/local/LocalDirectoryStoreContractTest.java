package io.mirrorfs.store.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStoreContractTest;
import io.mirrorfs.store.ObjectStores;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalDirectoryStoreContractTest extends ObjectStoreContractTest {

    private Path dir;

    @Override
    protected ObjectStore openStore() throws Exception {
        dir = Files.createTempDirectory("mirrorfs-local-store");
        return ObjectStores.open(dir.toUri().toString());
    }

    @Override
    protected void stopServers() throws Exception {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void keysThatCouldEscapeTheRootAreRejected() {
        for (String bad : new String[] {"../x", "a/../../x", "/etc/passwd", "a//b", "a/", "./a", "a/.", "a\\b",
                LocalDirectoryStore.TEMP_PREFIX + "x"}) {
            assertThatThrownBy(() -> store.put(bad, new byte[1])).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.get(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void putLeavesNoTempFilesAndDeletePrunesEmptyDirectories() throws Exception {
        store.put("p/q/r/obj", new byte[] {1, 2});
        try (var files = Files.walk(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith(LocalDirectoryStore.TEMP_PREFIX));
        }
        store.delete("p/q/r/obj");
        assertThat(dir.resolve("p")).doesNotExist();
        assertThat(dir).exists();
    }
}
