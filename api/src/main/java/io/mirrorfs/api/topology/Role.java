package io.mirrorfs.api.topology;

/** A region's role as written in the topology file: its role at deployment, not after a failover. */
public enum Role {
    PRIMARY,
    MIRROR
}
