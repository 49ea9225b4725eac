package io.mirrorfs.cli;

import io.mirrorfs.api.net.ChannelSecurity;
import io.mirrorfs.api.net.TlsException;
import io.mirrorfs.api.net.TlsFiles;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.api.topology.TopologyException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --tls-dir DIR}, mixed into every command that serves or connects to a metadata group or a sync
 * service. Mutual TLS comes from the flag, else from the topology's {@code tls:} section, else there is
 * none (plaintext, as {@code mirrorfs up} runs). The result becomes the process's default
 * ({@link ChannelSecurity#setProcessDefault}), so every client the command builds, however deep, uses
 * it; servers get it explicitly in their config.
 */
public final class TlsOption {
    @Option(names = "--tls-dir", paramLabel = "DIR", description = "Mutual TLS on every channel with DIR/"
            + TlsFiles.CA_FILE + ", DIR/" + TlsFiles.CERT_FILE + ", DIR/" + TlsFiles.KEY_FILE
            + " (PEM; the key unencrypted PKCS#8). Overrides the topology's tls: section; without either, plaintext.")
    Path tlsDir;

    private ChannelSecurity resolved;

    /** Resolves the security against an already loaded topology (or none) and makes it the process default. */
    public ChannelSecurity apply(Optional<Topology> topology) throws TlsException {
        ChannelSecurity security;
        if (tlsDir != null) {
            security = ChannelSecurity.mutualTls(TlsFiles.fromDir(tlsDir));
        } else {
            security = topology.flatMap(Topology::tls).map(ChannelSecurity::mutualTls).orElse(ChannelSecurity.plaintext());
        }
        // Set every time, plaintext included: commands run in one JVM (tests) must not inherit another's TLS.
        ChannelSecurity.setProcessDefault(security);
        resolved = security;
        return security;
    }

    /** {@link #apply(Optional)} for a loaded topology; returns it, so a load can be wrapped in place. */
    public Topology applied(Topology topology) throws TlsException {
        apply(Optional.of(topology));
        return topology;
    }

    /** What the last {@code apply} resolved. */
    public ChannelSecurity resolved() {
        if (resolved == null) {
            throw new IllegalStateException("TlsOption.apply was not called");
        }
        return resolved;
    }

    /** Whether {@code --tls-dir} was given. */
    public boolean given() {
        return tlsDir != null;
    }

    /** As {@link #apply(Optional)}, loading the topology file when one is given (and --tls-dir is not). */
    public ChannelSecurity apply(Path topologyFile) throws TlsException, TopologyException {
        Optional<Topology> topology = tlsDir == null && topologyFile != null
                ? Optional.of(Topology.load(topologyFile)) : Optional.empty();
        return apply(topology);
    }
}
