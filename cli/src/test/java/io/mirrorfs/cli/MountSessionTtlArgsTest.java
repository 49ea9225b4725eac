package io.mirrorfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A bad `mirrorfs mount --session-ttl`: one clear line, exit code 2, nothing mounted (no mount point created). */
class MountSessionTtlArgsTest {
    @TempDir
    Path dir;

    private String refused(String ttl) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new MountCommand()).execute("--meta", "m1=127.0.0.1:1", "--session-ttl", ttl,
                    dir.resolve("mnt").toString());
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, text);
        assertFalse(Files.exists(dir.resolve("mnt")), "nothing mounted");
        assertEquals(1, text.strip().lines().count(), "one line: " + text);
        return text;
    }

    @Test
    void aTtlUnderThreeSecondsOrMalformedIsRefused() {
        assertTrue(refused("2s").contains("--session-ttl: '2s' is out of range: the session TTL must be at least 3s"));
        assertTrue(refused("500ms").contains("at least 3s"));
        assertTrue(refused("25h").contains("at most 24h"));
        assertTrue(refused("30").contains("--session-ttl: bad duration '30'; use a whole number with a unit"));
    }
}
