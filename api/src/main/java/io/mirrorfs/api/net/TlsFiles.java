package io.mirrorfs.api.net;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * One node's (or client's) mutual-TLS material: the CA that signs every mirrorfs certificate, this
 * party's certificate chain and its private key, all PEM. Loaded and checked once, at start, so a
 * wrong file fails with its name instead of as a handshake error on the first call: the files exist and
 * are readable, the key is unencrypted PKCS#8 and belongs to the certificate, the certificate and the CA
 * are valid now, and the certificate is signed by the CA.
 *
 * <p>Every mirrorfs channel uses the same material both ways: servers require a client certificate
 * signed by the CA (mutual TLS), clients verify the server's certificate against the CA <em>and</em>
 * its host name (so certificates need subject alternative names for the addresses in the topology).
 * Equality is by the three paths: that is what the topology file records.
 */
public final class TlsFiles {
    /** The file names {@code --tls-dir DIR} expects, as the cloud units install them. */
    public static final String CA_FILE = "ca.pem";
    public static final String CERT_FILE = "node.pem";
    public static final String KEY_FILE = "node.key";

    private final Path ca;
    private final Path certChain;
    private final Path key;
    private final X509Certificate certificate;
    private final X509KeyManager keyManager;
    private final X509TrustManager trustManager;
    private SslContext serverContext;
    private SslContext clientContext;

    private TlsFiles(Path ca, Path certChain, Path key, X509Certificate certificate, X509KeyManager keyManager,
                     X509TrustManager trustManager) {
        this.ca = ca;
        this.certChain = certChain;
        this.key = key;
        this.certificate = certificate;
        this.keyManager = keyManager;
        this.trustManager = trustManager;
    }

    /** {@code DIR/ca.pem}, {@code DIR/node.pem}, {@code DIR/node.key}. */
    public static TlsFiles fromDir(Path dir) throws TlsException {
        return load(dir.resolve(CA_FILE), dir.resolve(CERT_FILE), dir.resolve(KEY_FILE));
    }

    public static TlsFiles load(Path ca, Path certChain, Path key) throws TlsException {
        return load(ca, certChain, key, Instant.now());
    }

    /** As {@link #load(Path, Path, Path)}, checking validity periods at {@code now} (tests). */
    static TlsFiles load(Path ca, Path certChain, Path key, Instant now) throws TlsException {
        ca = ca.toAbsolutePath().normalize();
        certChain = certChain.toAbsolutePath().normalize();
        key = key.toAbsolutePath().normalize();
        List<X509Certificate> authorities = PemFiles.certificates(ca, "CA certificate");
        List<X509Certificate> chain = PemFiles.certificates(certChain, "certificate");
        PrivateKey privateKey = PemFiles.privateKey(key);
        for (X509Certificate authority : authorities) {
            checkValidAt(ca, authority, "CA certificate", now);
        }
        for (X509Certificate c : chain) {
            checkValidAt(certChain, c, "certificate", now);
        }
        checkKeyMatches(key, privateKey, certChain, chain.getFirst());
        checkSignedBy(certChain, chain.getLast(), ca, authorities);
        try {
            return new TlsFiles(ca, certChain, key, chain.getFirst(), keyManager(privateKey, chain),
                    trustManager(authorities));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TlsException(certChain + ", " + key + ": the JDK refused the certificate or key: " + e, e);
        }
    }

    public Path ca() {
        return ca;
    }

    public Path certChain() {
        return certChain;
    }

    public Path key() {
        return key;
    }

    /** This party's own certificate (the first of the chain). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** For gRPC servers: presents this certificate and requires a client certificate signed by the CA. */
    public synchronized SslContext serverSslContext() throws SSLException {
        if (serverContext == null) {
            serverContext = GrpcSslContexts.configure(SslContextBuilder.forServer(keyManager))
                    .trustManager(trustManager).clientAuth(ClientAuth.REQUIRE).build();
        }
        return serverContext;
    }

    /** For gRPC clients: presents this certificate, trusts only the CA; host names are verified by gRPC. */
    public synchronized SslContext clientSslContext() throws SSLException {
        if (clientContext == null) {
            clientContext = GrpcSslContexts.forClient().keyManager(keyManager).trustManager(trustManager).build();
        }
        return clientContext;
    }

    /**
     * For Ratis (its own shaded gRPC): the same key and trust, mutual TLS on. One config serves the Raft
     * server (client auth required), its peer connections and Ratis clients.
     */
    public GrpcTlsConfig ratisTlsConfig() {
        return GrpcTlsConfig.newBuilder().setName("mirrorfs").setKeyManager(keyManager).setTrustManager(trustManager)
                .setMutualTls(true).build();
    }

    private static void checkValidAt(Path file, X509Certificate c, String what, Instant now) throws TlsException {
        Date at = Date.from(now);
        if (at.after(c.getNotAfter())) {
            throw new TlsException(file + ": the " + what + " '" + c.getSubjectX500Principal().getName() + "' expired on "
                    + c.getNotAfter().toInstant() + "; issue a new one");
        }
        if (at.before(c.getNotBefore())) {
            throw new TlsException(file + ": the " + what + " '" + c.getSubjectX500Principal().getName()
                    + "' is not valid before " + c.getNotBefore().toInstant() + "; check this machine's clock");
        }
    }

    /** Signs a random challenge with the key and verifies it with the certificate's public key. */
    private static void checkKeyMatches(Path keyFile, PrivateKey key, Path certFile, X509Certificate cert)
            throws TlsException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> throw new TlsException(keyFile + ": unsupported key algorithm " + key.getAlgorithm());
        };
        boolean matches;
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // e.g. an EC key against an RSA certificate
        }
        if (!matches) {
            throw new TlsException(keyFile + ": the private key does not belong to the certificate in " + certFile + " ('"
                    + cert.getSubjectX500Principal().getName() + "'); use the key the certificate was issued for");
        }
    }

    private static void checkSignedBy(Path certFile, X509Certificate top, Path caFile, List<X509Certificate> authorities)
            throws TlsException {
        for (X509Certificate authority : authorities) {
            try {
                top.verify(authority.getPublicKey());
                return;
            } catch (GeneralSecurityException e) {
                // not this CA: try the next one
            }
        }
        throw new TlsException(certFile + ": the certificate '" + top.getSubjectX500Principal().getName()
                + "' (issuer '" + top.getIssuerX500Principal().getName() + "') is not signed by the CA in " + caFile
                + "; peers would refuse it. Use a certificate issued by that CA, or the CA that issued it");
    }

    private static X509KeyManager keyManager(PrivateKey key, List<X509Certificate> chain)
            throws GeneralSecurityException, java.io.IOException {
        char[] password = new char[0]; // in memory only; the store never reaches a disk
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("mirrorfs", key, password, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        for (KeyManager m : factory.getKeyManagers()) {
            if (m instanceof X509KeyManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 key manager");
    }

    private static X509TrustManager trustManager(List<X509Certificate> authorities)
            throws GeneralSecurityException, java.io.IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
            store.setCertificateEntry("ca-" + i, authorities.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager m : factory.getTrustManagers()) {
            if (m instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsFiles other && ca.equals(other.ca) && certChain.equals(other.certChain)
                && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ca, certChain, key);
    }

    @Override
    public String toString() {
        return "TLS(ca " + ca + ", cert " + certChain + ", key " + key + ")";
    }
}
