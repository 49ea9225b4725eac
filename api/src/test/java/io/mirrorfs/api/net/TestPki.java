package io.mirrorfs.api.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway certificates for tests, made with the {@code openssl} CLI: a CA, and TLS folders in the
 * layout {@code --tls-dir} expects (ca.pem, node.pem, node.key) with certificates it signed for
 * {@code IP:127.0.0.1, DNS:localhost}. EC P-256 keys: quick to generate on a busy machine.
 * Shared with other modules' tests through api's test jar.
 */
public final class TestPki {
    private static final long OPENSSL_SECONDS_MAX = 30;
    public static final String LOOPBACK_SANS = "IP:127.0.0.1,DNS:localhost";

    private final Path dir;
    private final Path caCert;
    private final Path caKey;

    private TestPki(Path dir, Path caCert, Path caKey) {
        this.dir = dir;
        this.caCert = caCert;
        this.caKey = caKey;
    }

    /** A new CA named {@code name} under {@code dir/name}. */
    public static TestPki create(Path dir, String name) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve(name));
        Path cert = home.resolve("ca.pem");
        Path key = home.resolve("ca.key");
        openssl(home, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new TestPki(home, cert, key);
    }

    public Path caCert() {
        return caCert;
    }

    /** A TLS folder {@code <ca folder>/name} with a certificate for {@code sans} (e.g. {@link #LOOPBACK_SANS}). */
    public Path issue(String name, String sans) throws IOException, InterruptedException {
        Path out = Files.createDirectories(dir.resolve(name));
        Path key = out.resolve(TlsFiles.KEY_FILE);
        Path csr = out.resolve("node.csr");
        Path ext = out.resolve("ext.cnf");
        openssl(out, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        openssl(out, "req", "-new", "-key", key.toString(), "-subj", "/CN=" + name, "-out", csr.toString());
        Files.writeString(ext, "basicConstraints=CA:FALSE\nsubjectAltName=" + sans
                + "\nextendedKeyUsage=serverAuth,clientAuth\n", StandardCharsets.US_ASCII);
        openssl(out, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", out.resolve(TlsFiles.CERT_FILE).toString());
        Files.copy(caCert, out.resolve(TlsFiles.CA_FILE));
        return out;
    }

    /** An RSA key in PKCS#1 form ("BEGIN RSA PRIVATE KEY"), which mirrorfs refuses. */
    public static Path pkcs1RsaKey(Path dir) throws IOException, InterruptedException {
        Path pkcs8 = dir.resolve("rsa-pkcs8.key");
        Path pkcs1 = dir.resolve("rsa-pkcs1.key");
        openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pkcs8.toString());
        openssl(dir, "pkey", "-in", pkcs8.toString(), "-traditional", "-out", pkcs1.toString());
        return pkcs1;
    }

    /** A fresh EC key that belongs to no certificate. */
    public static Path strayKey(Path dir) throws IOException, InterruptedException {
        Path key = dir.resolve("stray.key");
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        return key;
    }

    static void openssl(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(OPENSSL_SECONDS_MAX, TimeUnit.SECONDS)) {
                throw new IOException("openssl did not finish within " + OPENSSL_SECONDS_MAX + " s: " + command);
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("openssl failed (" + p.exitValue() + "): " + command + "\n" + output);
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
