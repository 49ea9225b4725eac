package io.mirrorfs.api.topology;

/** A service address {@code HOST:PORT}; IPv6 hosts in brackets ({@code [::1]:9870}). */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("address has no host");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1..65535: " + port);
        }
    }

    /** Parses {@code HOST:PORT}; throws IllegalArgumentException with the offending text. */
    public static HostPort parse(String spec) {
        String s = spec == null ? "" : spec.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("address must be HOST:PORT, got '" + spec + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("IPv6 hosts go in brackets ([::1]:9870), got '" + spec + "'");
        }
        try {
            return new HostPort(host, Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port of '" + spec + "' is not a number", e);
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
