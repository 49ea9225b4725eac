package io.mirrorfs.api.topology;

import io.mirrorfs.api.client.MetaPeer;
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
public record Topology(String volume, List<Region> regions) {

    /** Files larger than this are refused: a topology is a few dozen lines. */
    public static final int FILE_BYTES_MAX = 1 << 20;

    public Topology {
        regions = List.copyOf(regions);
        assert regions.stream().filter(Region::isPrimary).count() == 1 : "validated by TopologyParser";
    }

    /** Reads and validates a topology file; errors name the file. */
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
        return TopologyParser.parse(file.toString(), text);
    }

    /** Parses and validates YAML text; errors name it "<topology>". */
    public static Topology parse(String yaml) throws TopologyException {
        return TopologyParser.parse("<topology>", yaml);
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
        return yaml.toString();
    }

    /** A YAML double-quoted scalar: URIs and IPv6 peers contain characters plain scalars may not. */
    private static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
