package io.mirrorfs.api.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.api.net.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology file's {@code tls:} section: read, written back, and bad paths refused at load. */
class TopologyTlsTest {
    @TempDir
    static Path dir;
    static Path node;

    @BeforeAll
    static void issue() throws Exception {
        node = TestPki.create(dir, "ca").issue("node", TestPki.LOOPBACK_SANS);
    }

    private static Path write(String name, String tlsSection) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, TopologyTest.GOOD + tlsSection);
        return file;
    }

    @Test
    void readsRelativePathsFromTheFilesFolderAndRoundTrips() throws Exception {
        Path file = write("relative.yaml", """
                tls:
                  ca: ca/node/ca.pem
                  cert: ca/node/node.pem
                  key: ca/node/node.key
                """);
        Topology t = Topology.load(file);

        assertThat(t.tls()).isPresent();
        assertThat(t.tls().get().ca()).isEqualTo(node.resolve("ca.pem").toAbsolutePath());
        assertThat(t.tls().get().key()).isEqualTo(node.resolve("node.key").toAbsolutePath());
        assertThat(t.toYaml()).contains("tls:\n  ca: \"" + node.resolve("ca.pem").toAbsolutePath() + "\"");
        assertThat(Topology.parse(t.toYaml())).isEqualTo(t);
    }

    @Test
    void withoutASectionThereIsNoTlsAndNoneIsWritten() throws Exception {
        Topology t = Topology.load(write("plain.yaml", ""));
        assertThat(t.tls()).isEmpty();
        assertThat(t.toYaml()).doesNotContain("tls");
    }

    @Test
    void missingFileIsRefusedAtLoadNamingBothFiles() throws Exception {
        Path file = write("missing.yaml", """
                tls:
                  ca: ca/node/ca.pem
                  cert: ca/node/nope.pem
                  key: ca/node/node.key
                """);
        assertThatThrownBy(() -> Topology.load(file))
                .isInstanceOf(TopologyException.class)
                .hasMessageStartingWith(file + ": field 'tls': ")
                .hasMessageContaining(node.resolve("nope.pem").toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void mismatchedKeyIsRefusedAtLoad() throws Exception {
        Path stray = TestPki.strayKey(Files.createDirectories(dir.resolve("stray")));
        Path file = write("mismatch.yaml", "tls: {ca: ca/node/ca.pem, cert: ca/node/node.pem, key: \"" + stray + "\"}\n");
        assertThatThrownBy(() -> Topology.load(file))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(stray.toString())
                .hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void incompleteOrMisspeltSectionIsRefused() throws Exception {
        Path noKey = write("nokey.yaml", "tls: {ca: ca/node/ca.pem, cert: ca/node/node.pem}\n");
        assertThatThrownBy(() -> Topology.load(noKey)).hasMessageContaining(noKey + ": field 'tls': missing field 'key'");
        Path typo = write("typo.yaml", "tls: {ca: ca/node/ca.pem, cert: ca/node/node.pem, key: ca/node/node.key, cers: x}\n");
        assertThatThrownBy(() -> Topology.load(typo)).hasMessageContaining("unknown field 'cers'");
        Path notMap = write("notmap.yaml", "tls: /etc/mirrorfs/tls\n");
        assertThatThrownBy(() -> Topology.load(notMap)).hasMessageContaining("field 'tls': expected a mapping with ca, cert, key");
    }
}
