package io.mirrorfs.api.topology;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import java.util.List;
import java.util.Optional;

/**
 * One region of a deployment: its metadata group's peers, its object store, and (mirrors) the address
 * of its sync service. {@code sync} is empty when the file leaves it out (allowed for the primary).
 */
public record Region(String name, Role role, String storeUri, List<MetaPeer> meta, Optional<HostPort> sync) {

    public Region {
        meta = List.copyOf(meta);
        assert !meta.isEmpty() : "validated by TopologyParser";
    }

    public boolean isPrimary() {
        return role == Role.PRIMARY;
    }

    /** The region's metadata group: its Raft group is named after the region. */
    public MetaGroup group() {
        return new MetaGroup(name, meta);
    }
}
