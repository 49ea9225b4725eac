package io.mirrorfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.meta.server.MetaServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `mirrorfs meta start` flags: mirror and topology forms resolve to the right node config; bad input starts nothing. */
class MetaCommandArgsTest {
    @TempDir
    Path dir;

    private String refused(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new MetaCommand.Start()).execute(args);
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, text);
        assertFalse(Files.exists(dir.resolve("data")), "nothing started");
        return text;
    }

    private MetaServerConfig config(String... args) throws Exception {
        MetaCommand.Start start = new MetaCommand.Start();
        new CommandLine(start).parseArgs(args);
        return start.config();
    }

    private String data() {
        return dir.resolve("data").toString();
    }

    @Test
    void aMirrorNeedsItsVolumeAndRegion() {
        assertTrue(refused("--id", "m1", "--peers", "m1=127.0.0.1:9000", "--data", data(),
                "--mirror-of", "p1=127.0.0.1:9100", "--region", "eu").contains("--mirror-of needs --volume"));
        assertTrue(refused("--id", "m1", "--peers", "m1=127.0.0.1:9000", "--data", data(),
                "--mirror-of", "p1=127.0.0.1:9100", "--volume", "v").contains("--region NAME"));
        assertTrue(refused("--id", "m1", "--peers", "m1=127.0.0.1:9000", "--data", data(), "--volume", "v")
                .contains("add --mirror-of"));
        assertTrue(refused("--id", "m1", "--peers", "m1=127.0.0.1:9000", "--data", data(), "--group", "same",
                "--mirror-of", "p1=127.0.0.1:9100", "--primary-group", "same", "--region", "eu", "--volume", "v")
                .contains("its own --group"));
        assertTrue(refused("--id", "m1", "--data", data()).contains("--peers"));
    }

    @Test
    void aMirrorNodeFromFlags() throws Exception {
        MetaServerConfig c = config("--id", "m1", "--peers", "m1=127.0.0.1:9000", "--data", data(),
                "--mirror-of", "p1=127.0.0.1:9100,p2=127.0.0.1:9102", "--primary-group", "prim", "--region", "eu",
                "--volume", "v");
        assertEquals("eu", c.group().name(), "a mirror's group is named after its region by default");
        assertEquals("eu", c.mirrorOf().regionName());
        assertEquals("v", c.mirrorOf().volume());
        assertEquals("prim", c.mirrorOf().primary().name());
        assertEquals(2, c.mirrorOf().primary().peers().size());
        assertNull(config("--id", "n1", "--peers", "n1=127.0.0.1:9000", "--data", data()).mirrorOf());
    }

    @Test
    void nodesFromATopologyFile() throws Exception {
        Path topology = dir.resolve("topology.yaml");
        Files.writeString(topology, """
                volume: datasets
                regions:
                  - name: us
                    role: primary
                    store: file:///tmp/us
                    meta: [n1=127.0.0.1:9860, n2=127.0.0.1:9862]
                  - name: eu
                    role: mirror
                    store: file:///tmp/eu
                    meta: [m1=127.0.0.1:9960]
                    sync: 127.0.0.1:9970
                """);
        MetaServerConfig mirror = config("--topology", topology.toString(), "--region", "eu", "--id", "m1", "--data", data());
        assertEquals("eu", mirror.group().name());
        assertEquals("datasets", mirror.mirrorOf().volume());
        assertEquals("us", mirror.mirrorOf().primary().name());
        assertEquals(2, mirror.mirrorOf().primary().peers().size());
        MetaServerConfig primary = config("--topology", topology.toString(), "--region", "us", "--id", "n2", "--data", data());
        assertEquals("us", primary.group().name());
        assertNull(primary.mirrorOf());
        assertEquals(Set.of("eu"), primary.changelogMirrors());

        assertTrue(refused("--topology", topology.toString(), "--region", "eu", "--id", "m1", "--data", data(),
                "--peers", "m1=127.0.0.1:1").contains("come from the file"));
        assertTrue(refused("--topology", topology.toString(), "--region", "asia", "--id", "m1", "--data", data())
                .contains("asia"));
        assertTrue(refused("--topology", topology.toString(), "--region", "eu", "--id", "zz", "--data", data())
                .contains("zz"));
    }
}
