package io.mirrorfs.api.net;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;

/**
 * How every mirrorfs gRPC channel is secured: plaintext (the default, as {@code mirrorfs up} runs) or
 * mutual TLS with one {@link TlsFiles}. The one place that builds servers and channels, so no channel
 * can be forgotten: Ratis (through {@link #ratisParameters()}), the node's admin/changelog service, the
 * sync service's status, and their clients.
 *
 * <p>A process talks to one deployment, so the CLI sets the {@linkplain #processDefault() process
 * default} once, from {@code --tls-dir} or the topology's {@code tls:} section, and every client built
 * without an explicit setting uses it (the way the JDK's default {@code SSLContext} works). Servers
 * never use the default: their setting is in their config, so a test can run a TLS group and a
 * plaintext client in one JVM.
 */
public final class ChannelSecurity {
    private static final ChannelSecurity PLAINTEXT = new ChannelSecurity(null);
    private static volatile ChannelSecurity processDefault = PLAINTEXT;

    private final TlsFiles tls;

    private ChannelSecurity(TlsFiles tls) {
        this.tls = tls;
    }

    public static ChannelSecurity plaintext() {
        return PLAINTEXT;
    }

    public static ChannelSecurity mutualTls(TlsFiles files) {
        if (files == null) {
            throw new IllegalArgumentException("mutual TLS needs its files");
        }
        return new ChannelSecurity(files);
    }

    /** What clients built without an explicit setting use: plaintext unless a command set it. */
    public static ChannelSecurity processDefault() {
        return processDefault;
    }

    /** Set by the CLI once per command, before it connects to anything. */
    public static void setProcessDefault(ChannelSecurity security) {
        if (security == null) {
            throw new IllegalArgumentException("use ChannelSecurity.plaintext() for no TLS");
        }
        processDefault = security;
    }

    public boolean isTls() {
        return tls != null;
    }

    public Optional<TlsFiles> tls() {
        return Optional.ofNullable(tls);
    }

    /** A channel builder to {@code host:port}, TLS (verifying the host name) or plaintext. */
    public NettyChannelBuilder channelBuilder(String host, int port) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port);
        if (tls == null) {
            return builder.usePlaintext();
        }
        return builder.useTransportSecurity().sslContext(checked(tls::clientSslContext));
    }

    /** A server builder on {@code address}; with TLS, clients must present a certificate signed by the CA. */
    public NettyServerBuilder serverBuilder(InetSocketAddress address) {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(address);
        return tls == null ? builder : builder.sslContext(checked(tls::serverSslContext));
    }

    /** Ratis parameters for servers and clients: the TLS config for all three of Ratis's channels, or none. */
    public Parameters ratisParameters() {
        Parameters parameters = new Parameters();
        if (tls != null) {
            // TLS.setConf is the default for Ratis's server, client and admin channels alike.
            GrpcConfigKeys.TLS.setConf(parameters, tls.ratisTlsConfig());
        }
        return parameters;
    }

    private interface SslSupplier<T> {
        T get() throws SSLException;
    }

    /** The material was checked when loaded, so a failure here is the TLS provider's own, and fatal. */
    private static <T> T checked(SslSupplier<T> supplier) {
        try {
            return supplier.get();
        } catch (SSLException e) {
            throw new UncheckedIOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return tls == null ? "plaintext" : "mutual " + tls;
    }
}
