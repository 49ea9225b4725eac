package io.mirrorfs.api.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading TLS material: the good case, and one clear error (naming the file) per kind of bad input. */
class TlsFilesTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static Path node;

    @BeforeAll
    static void issue() throws Exception {
        pki = TestPki.create(dir, "ca");
        node = pki.issue("node", TestPki.LOOPBACK_SANS);
    }

    @Test
    void loadsADirectoryAndBuildsEveryContext() throws Exception {
        TlsFiles tls = TlsFiles.fromDir(node);

        assertThat(tls.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=node");
        assertThat(tls.ca()).isEqualTo(node.resolve("ca.pem").toAbsolutePath());
        assertThat(tls.serverSslContext().isServer()).isTrue();
        assertThat(tls.clientSslContext().isClient()).isTrue();
        assertThat(tls.ratisTlsConfig().getMtlsEnabled()).isTrue();
        assertThat(ChannelSecurity.mutualTls(tls).ratisParameters().get("raft.grpc.tls.conf", Object.class)).isNotNull();
        assertThat(ChannelSecurity.plaintext().ratisParameters().get("raft.grpc.tls.conf", Object.class)).isNull();
        assertThat(tls).isEqualTo(TlsFiles.fromDir(node));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nowhere");
        assertThatThrownBy(() -> TlsFiles.fromDir(missing))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining(missing.resolve("ca.pem").toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void unreadableKeyIsNamed() throws Exception {
        Path copy = copyOf(node, "unreadable");
        Path key = copy.resolve("node.key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
        try {
            if (Files.isReadable(key)) {
                return; // running as root: permissions do not stop reading, nothing to test here
            }
            assertThatThrownBy(() -> TlsFiles.fromDir(copy))
                    .isInstanceOf(TlsException.class)
                    .hasMessageContaining(key.toString())
                    .hasMessageContaining("permission denied");
        } finally {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        Path stray = TestPki.strayKey(Files.createDirectories(dir.resolve("stray")));
        assertThatThrownBy(() -> TlsFiles.load(node.resolve("ca.pem"), node.resolve("node.pem"), stray))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining(stray.toString())
                .hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void pkcs1KeyIsRefusedWithTheConversionCommand() throws Exception {
        Path pkcs1 = TestPki.pkcs1RsaKey(Files.createDirectories(dir.resolve("pkcs1")));
        assertThat(Files.readString(pkcs1)).contains("BEGIN RSA PRIVATE KEY");
        assertThatThrownBy(() -> TlsFiles.load(node.resolve("ca.pem"), node.resolve("node.pem"), pkcs1))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining(pkcs1.toString())
                .hasMessageContaining("PKCS#1")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void aCertificateWhereTheKeyBelongsIsRefused() {
        // The key file is given as the certificate: no certificate in it.
        assertThatThrownBy(() -> TlsFiles.load(node.resolve("ca.pem"), node.resolve("node.key"), node.resolve("node.key")))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining(node.resolve("node.key").toString())
                .hasMessageContaining("no PEM certificate");
    }

    @Test
    void expiredCertificateIsRefused() {
        Instant later = Instant.now().plus(Duration.ofDays(30));
        assertThatThrownBy(() -> TlsFiles.load(node.resolve("ca.pem"), node.resolve("node.pem"), node.resolve("node.key"), later))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining("expired on")
                .hasMessageContaining("issue a new one");
    }

    @Test
    void notYetValidCertificateIsRefused() {
        Instant earlier = Instant.now().minus(Duration.ofDays(30));
        assertThatThrownBy(() -> TlsFiles.load(node.resolve("ca.pem"), node.resolve("node.pem"), node.resolve("node.key"), earlier))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining("is not valid before")
                .hasMessageContaining("clock");
    }

    @Test
    void certificateOfAnotherCaIsRefused() throws Exception {
        TestPki other = TestPki.create(dir, "other-ca");
        Path foreign = other.issue("foreign", TestPki.LOOPBACK_SANS);
        assertThatThrownBy(() -> TlsFiles.load(node.resolve("ca.pem"), foreign.resolve("node.pem"), foreign.resolve("node.key")))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining(foreign.resolve("node.pem").toString())
                .hasMessageContaining("is not signed by the CA in " + node.resolve("ca.pem"));
    }

    private static Path copyOf(Path source, String name) throws Exception {
        Path copy = Files.createDirectories(dir.resolve(name));
        for (String f : new String[] {"ca.pem", "node.pem", "node.key"}) {
            Files.copy(source.resolve(f), copy.resolve(f));
        }
        return copy;
    }
}
