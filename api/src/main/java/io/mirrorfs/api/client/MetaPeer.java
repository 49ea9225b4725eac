package io.mirrorfs.api.client;

import java.util.regex.Pattern;

/**
 * One metadata node as operators write it: {@code ID=HOST:PORT}, where PORT is the node's Raft (Ratis
 * gRPC) port. The node's admin gRPC service ({@code MetadataAdmin}) listens on the next port, PORT + 1,
 * so one address per node is all a peer list needs.
 */
public record MetaPeer(String id, String host, int raftPort) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public MetaPeer {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("peer id must be 1-64 of [A-Za-z0-9_.-]: " + id);
        }
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("peer " + id + " has no host");
        }
        // The admin port is raftPort + 1, so the Raft port may not be the last one.
        if (raftPort <= 0 || raftPort >= 65535) {
            throw new IllegalArgumentException("peer " + id + " raft port out of range 1..65534: " + raftPort);
        }
    }

    /** Parses {@code ID=HOST:PORT}; IPv6 hosts are written in brackets: {@code n1=[::1]:9000}. */
    public static MetaPeer parse(String spec) {
        String s = spec.trim();
        int eq = s.indexOf('=');
        int colon = s.lastIndexOf(':');
        if (eq <= 0 || colon <= eq + 1 || colon == s.length() - 1) {
            throw new IllegalArgumentException("peer must be ID=HOST:PORT, got '" + spec + "'");
        }
        String host = s.substring(eq + 1, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("peer port is not a number in '" + spec + "'", e);
        }
        return new MetaPeer(s.substring(0, eq), host, port);
    }

    public int adminPort() {
        return raftPort + 1;
    }

    /** HOST:PORT of the Raft endpoint, as Ratis wants it. */
    public String raftAddress() {
        return hostForUri() + ":" + raftPort;
    }

    public String adminAddress() {
        return hostForUri() + ":" + adminPort();
    }

    private String hostForUri() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return id + "=" + raftAddress();
    }
}
