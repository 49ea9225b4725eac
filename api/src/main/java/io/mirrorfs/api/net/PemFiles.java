package io.mirrorfs.api.net;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and unencrypted PKCS#8 private keys with the JDK alone. Every error names the
 * file and, where there is one, the command that fixes it.
 */
final class PemFiles {
    /** Certificates and keys are a few KiB; anything this large is the wrong file. */
    static final long FILE_BYTES_MAX = 1 << 20;
    /** Key algorithms a PKCS#8 key may use; the encoding names it, KeyFactory tells which one fits. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {}

    /** Every certificate in a PEM file, in file order; at least one. */
    static List<X509Certificate> certificates(Path file, String what) throws TlsException {
        String text = read(file, what);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new TlsException(file + ": the " + what + " holds no PEM certificate (expected a"
                    + " '-----BEGIN CERTIFICATE-----' block)");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new ArrayList<>();
            for (var c : factory.generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))) {
                certificates.add((X509Certificate) c);
            }
            if (certificates.isEmpty()) {
                throw new TlsException(file + ": the " + what + " holds no readable certificate");
            }
            return List.copyOf(certificates);
        } catch (CertificateException e) {
            throw new TlsException(file + ": the " + what + " is not a valid PEM certificate: " + e.getMessage(), e);
        }
    }

    /** The unencrypted PKCS#8 key in a PEM file ({@code openssl genpkey} writes this form). */
    static PrivateKey privateKey(Path file) throws TlsException {
        String text = read(file, "private key");
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new TlsException(file + ": the private key is encrypted; mirrorfs needs an unencrypted PKCS#8 key"
                    + " (protect it with file permissions): openssl pkcs8 -topk8 -nocrypt -in " + file + " -out KEY");
        }
        Matcher m = PKCS8.matcher(text);
        if (!m.find()) {
            String found = text.contains("-----BEGIN RSA PRIVATE KEY-----") ? "a PKCS#1 RSA key"
                    : text.contains("-----BEGIN EC PRIVATE KEY-----") ? "a SEC1 EC key"
                    : "no '-----BEGIN PRIVATE KEY-----' block";
            throw new TlsException(file + ": expected an unencrypted PKCS#8 private key, found " + found
                    + "; convert it: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out KEY");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new TlsException(file + ": the private key's PEM block is not valid base64", e);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
                // not this algorithm: try the next one
            }
        }
        throw new TlsException(file + ": the private key is not an RSA, EC, Ed25519 or Ed448 PKCS#8 key");
    }

    private static String read(Path file, String what) throws TlsException {
        try {
            if (!Files.isRegularFile(file)) {
                throw new TlsException(file + ": the " + what + " " + (Files.exists(file) ? "is not a regular file"
                        : "does not exist") + "; point the topology's tls: section or --tls-dir at the right file");
            }
            if (Files.size(file) > FILE_BYTES_MAX) {
                throw new TlsException(file + ": larger than " + FILE_BYTES_MAX + " bytes; is this the " + what + "?");
            }
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (TlsException e) {
            throw e;
        } catch (AccessDeniedException e) {
            throw new TlsException(file + ": cannot read the " + what + " (permission denied); make it readable by the"
                    + " user that runs mirrorfs", e);
        } catch (NoSuchFileException e) {
            throw new TlsException(file + ": the " + what + " does not exist", e);
        } catch (IOException e) {
            throw new TlsException(file + ": cannot read the " + what + ": " + e, e);
        }
    }
}
