package io.mirrorfs.client.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallerGroupsTest {
    @TempDir Path proc;

    @Test
    void readsTheGroupsLineAndToleratesGoneProcesses() throws Exception {
        Files.createDirectories(proc.resolve("42"));
        Files.writeString(proc.resolve("42/status"), "Name:\tx\nUid:\t1000\t1000\t1000\t1000\nGroups:\t4 24 1000 \nVmRSS: 1 kB\n");
        Files.createDirectories(proc.resolve("43"));
        Files.writeString(proc.resolve("43/status"), "Name:\ty\nGroups:\n");
        CallerGroups groups = new CallerGroups(proc);
        assertThat(groups.of(42)).containsExactly(4, 24, 1000);
        assertThat(groups.of(43)).isEmpty();
        assertThat(groups.of(44)).as("no such process").isEmpty();
        assertThat(groups.of(0)).isEmpty();
    }

    @Test
    void readsThisProcess() {
        assertThat(new CallerGroups(Path.of("/proc")).of((int) ProcessHandle.current().pid())).isNotNull();
    }
}
