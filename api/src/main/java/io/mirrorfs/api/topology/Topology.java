package io.mirrorfs.api.topology;

import io.mirrorfs.api.net.TlsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A deployment as the topology file describes it (DESIGN §9, docs/topology.md): the volume and its
 * regions, exactly one of them the initial primary. Roles are initial roles: after a failover the
 * current primary and epoch come from the metadata, not from this file.
 */
public record Topology(String volume, List<Region> regions, Optional<TlsFiles> tls) {

    /** Files larger than this are refused: a topology is a few dozen lines. */
    public static final int FILE_BYTES_MAX = 1 << 20;

    public Topology {
        regions = List.copyOf(regions);
        tls = tls == null ? Optional.empty() : tls;
        assert regions.stream().filter(Region::isPrimary).count() == 1 : "validated by TopologyParser";
    }

    /** Without a {@code tls:} section: plaintext, unless a command is given {@code --tls-dir}. */
    public Topology(String volume, List<Region> regions) {
        this(volume, regions, Optional.empty());
    }

    /**
     * Reads and validates a topology file; errors name the file. Relative {@code tls:} paths are relative
     * to the file's folder, and the TLS files are loaded and checked here (TlsFiles).
     */
    public static Topology load(Path file) throws TopologyException {
        String text;
        try {
            if (Files.size(file) > FILE_BYTES_MAX) {
                throw new TopologyException(file + ": larger than " + FILE_BYTES_MAX + " bytes; is this a topology file?");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TopologyException(file + ": cannot read the topology file: " + e.getMessage(), e);
        }
        Path folder = file.toAbsolutePath().getParent();
        return TopologyParser.parse(file.toString(), text, folder != null ? folder : Path.of("").toAbsolutePath());
    }

    /** Parses and validates YAML text; errors name it "<topology>"; relative tls: paths are from the working directory. */
    public static Topology parse(String yaml) throws TopologyException {
        return TopologyParser.parse("<topology>", yaml, Path.of("").toAbsolutePath());
    }

    public Region primary() {
        return regions.stream().filter(Region::isPrimary).findFirst().orElseThrow();
    }

    public List<Region> mirrors() {
        return regions.stream().filter(r -> !r.isPrimary()).toList();
    }

    public Optional<Region> region(String name) {
        return regions.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The region by name, or an error listing the names the file has. */
    public Region requireRegion(String name) throws TopologyException {
        return region(name).orElseThrow(() -> new TopologyException("no region '" + name + "' in the topology; it has "
                + regions.stream().map(Region::name).toList()));
    }

    /** This topology as a file {@link #parse} accepts (tools that generate deployments write it). */
    public String toYaml() {
        StringBuilder yaml = new StringBuilder("volume: ").append(volume).append("\nregions:\n");
        for (Region r : regions) {
            yaml.append("  - name: ").append(r.name()).append('\n')
                    .append("    role: ").append(r.role().name().toLowerCase(Locale.ROOT)).append('\n')
                    .append("    store: ").append(quoted(r.storeUri())).append('\n')
                    .append("    meta: [").append(String.join(", ", r.meta().stream().map(p -> quoted(p.toString())).toList()))
                    .append("]\n");
            r.sync().ifPresent(s -> yaml.append("    sync: ").append(quoted(s.toString())).append('\n'));
        }
        tls.ifPresent(t -> yaml.append("tls:\n")
                .append("  ca: ").append(quoted(t.ca().toString())).append('\n')
                .append("  cert: ").append(quoted(t.certChain().toString())).append('\n')
                .append("  key: ").append(quoted(t.key().toString())).append('\n'));
        return yaml.toString();
    }

    /** A YAML double-quoted scalar: URIs and IPv6 peers contain characters plain scalars may not. */
    private static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
