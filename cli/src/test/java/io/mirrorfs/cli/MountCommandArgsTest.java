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

/** Bad `mirrorfs mount` input: one clear line, exit code 2, nothing mounted (the mount point is not even created). */
class MountCommandArgsTest {
    @TempDir
    Path dir;

    private String run(int expectedExit, String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new MountCommand()).execute(args);
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, text);
        assertFalse(Files.exists(dir.resolve("mnt")), "nothing mounted");
        return text;
    }

    private String mnt() {
        return dir.resolve("mnt").toString();
    }

    @Test
    void unknownModeAndBoundedWithoutDurationAreRefused() {
        String peers = "m1=127.0.0.1:1";
        assertTrue(run(2, "--meta", peers, "--group", "m", "--primary-meta", "p1=127.0.0.1:3", "--primary-group", "p",
                "--consistency", "strong", mnt()).contains("unknown consistency mode 'strong'"));
        assertTrue(run(2, "--meta", peers, "--group", "m", "--primary-meta", "p1=127.0.0.1:3", "--primary-group", "p",
                "--consistency", "bounded", mnt()).contains("needs a duration"));
        assertTrue(run(2, "--meta", peers, "--group", "m", "--primary-meta", "p1=127.0.0.1:3", "--primary-group", "p",
                "--consistency", "bounded:10", mnt()).contains("unit"));
    }

    @Test
    void halfGivenMirrorFlagsAreRefused() {
        String peers = "m1=127.0.0.1:1";
        assertTrue(run(2, "--meta", peers, "--group", "m", "--primary-meta", "p1=127.0.0.1:3", mnt())
                .contains("needs both --primary-meta PEERS and --primary-group NAME"));
        assertTrue(run(2, "--meta", peers, "--group", "m", "--primary-group", "p", mnt())
                .contains("needs both"));
        assertTrue(run(2, "--meta", peers, "--primary-meta", "p1=127.0.0.1:3", "--primary-group", "p", mnt())
                .contains("needs --group NAME"));
        assertTrue(run(2, "--meta", peers, "--consistency", "session", mnt()).contains("are for mirror mounts"));
        assertTrue(run(2, "--meta", peers, "--primary-store", "file:///tmp/x", mnt()).contains("are for mirror mounts"));
        assertTrue(run(2, "--meta", peers, "--group", "p", "--primary-meta", "p1=127.0.0.1:3", "--primary-group", "p",
                mnt()).contains("name the same group"));
        assertTrue(run(2, "--region", "eu", mnt()).contains("--topology FILE and --region NAME go together"));
        assertTrue(run(2, "--topology", dir.resolve("t.yaml").toString(), "--region", "eu", "--meta", peers, mnt())
                .contains("not both"));
        assertTrue(run(2, mnt()).contains("give --meta PEERS"));
        assertTrue(run(2, "--meta", "nonsense", "--group", "m", "--primary-meta", "p1=127.0.0.1:3", "--primary-group", "p",
                mnt()).contains("--meta: peer must be ID=HOST:PORT"));
    }

    @Test
    void aTopologyWithoutTheRegionIsRefused() throws Exception {
        Path topology = dir.resolve("topology.yaml");
        Files.writeString(topology, """
                volume: v
                regions:
                  - name: primary
                    role: primary
                    store: file:///tmp/mirrorfs-args-test-p
                    meta: [p1=127.0.0.1:7001]
                  - name: eu
                    role: mirror
                    store: file:///tmp/mirrorfs-args-test-m
                    meta: [m1=127.0.0.1:7011]
                    sync: 127.0.0.1:7020
                """);
        assertTrue(run(2, "--topology", topology.toString(), "--region", "asia", mnt()).contains("no region 'asia'"));
    }
}
