package io.mirrorfs.api.topology;

import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.net.TlsException;
import io.mirrorfs.api.net.TlsFiles;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * YAML to a validated {@link Topology}. Strict on purpose: an unknown key is an error (a misspelt
 * {@code sycn:} silently ignored would leave a mirror without its sync service), and every error names
 * the file, the region and the field so an operator can fix it without reading code.
 */
final class TopologyParser {
    private static final Set<String> TOP_KEYS = Set.of("volume", "regions", "tls");
    private static final Set<String> TLS_KEYS = Set.of("ca", "cert", "key");
    private static final Set<String> REGION_KEYS = Set.of("name", "role", "store", "meta", "sync");
    /**
     * The schemes io.mirrorfs.store.ObjectStores opens. Repeated here because api cannot depend on
     * cloud-adapters; the store module validates the rest of the URI when it opens it.
     */
    private static final Set<String> STORE_SCHEMES = Set.of("file", "s3", "gs", "az");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final int REGIONS_MAX = 64;
    private static final int PEERS_MAX = 15;

    private TopologyParser() {}

    /** @param folder what relative {@code tls:} paths are relative to (the file's folder) */
    static Topology parse(String source, String yaml, Path folder) throws TopologyException {
        Object root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            root = new Yaml(new SafeConstructor(options)).load(yaml);
        } catch (YAMLException e) {
            throw new TopologyException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new TopologyException(source + ": expected a mapping with 'volume' and 'regions' at the top level");
        }
        checkKeys(source, "", top, TOP_KEYS);
        String volume = string(source, "", top, "volume");
        if (!NAME.matcher(volume).matches()) {
            throw new TopologyException(source + ": field 'volume': '" + volume
                    + "' must be 1-63 of [A-Za-z0-9_.-], starting with a letter or digit");
        }
        Object rawRegions = top.get("regions");
        if (!(rawRegions instanceof List<?> list) || list.isEmpty()) {
            throw new TopologyException(source + ": field 'regions': expected a non-empty list of regions");
        }
        if (list.size() > REGIONS_MAX) {
            throw new TopologyException(source + ": field 'regions': " + list.size() + " regions, at most " + REGIONS_MAX);
        }
        List<Region> regions = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            regions.add(region(source, i, list.get(i)));
        }
        checkAcrossRegions(source, regions);
        Optional<TlsFiles> tls = top.containsKey("tls") ? Optional.of(tls(source, top.get("tls"), folder)) : Optional.empty();
        return new Topology(volume, regions, tls);
    }

    /** The tls: section; its files are loaded and checked now, so a wrong path fails at load, naming it. */
    private static TlsFiles tls(String source, Object raw, Path folder) throws TopologyException {
        if (!(raw instanceof Map<?, ?> map)) {
            throw new TopologyException(source + ": field 'tls': expected a mapping with ca, cert, key (PEM file paths)");
        }
        String where = "field 'tls': ";
        checkKeys(source, where, map, TLS_KEYS);
        Path ca = path(source, where, map, "ca", folder);
        Path cert = path(source, where, map, "cert", folder);
        Path key = path(source, where, map, "key", folder);
        try {
            return TlsFiles.load(ca, cert, key);
        } catch (TlsException e) {
            throw new TopologyException(source + ": " + where + e.getMessage(), e);
        }
    }

    private static Region region(String source, int position, Object raw) throws TopologyException {
        if (!(raw instanceof Map<?, ?> map)) {
            throw new TopologyException(source + ": regions[" + position + "]: expected a mapping with name, role, store, meta");
        }
        Object rawName = map.get("name");
        String where = "region " + (rawName instanceof String s ? "'" + s + "'" : "#" + (position + 1)) + ": ";
        checkKeys(source, where, map, REGION_KEYS);
        String name = string(source, where, map, "name");
        if (!NAME.matcher(name).matches()) {
            throw new TopologyException(source + ": " + where + "field 'name': must be 1-63 of [A-Za-z0-9_.-]");
        }
        String roleText = string(source, where, map, "role");
        Role role = switch (roleText.toLowerCase(Locale.ROOT)) {
            case "primary" -> Role.PRIMARY;
            case "mirror" -> Role.MIRROR;
            default -> throw new TopologyException(source + ": " + where + "field 'role': '" + roleText
                    + "' is not one of primary, mirror");
        };
        String store = string(source, where, map, "store");
        checkStore(source, where, store);
        List<MetaPeer> peers = peers(source, where, map.get("meta"));
        Optional<HostPort> sync = Optional.empty();
        if (map.containsKey("sync")) {
            String syncText = string(source, where, map, "sync");
            try {
                sync = Optional.of(HostPort.parse(syncText));
            } catch (IllegalArgumentException e) {
                throw new TopologyException(source + ": " + where + "field 'sync': " + e.getMessage(), e);
            }
        } else if (role == Role.MIRROR) {
            throw new TopologyException(source + ": " + where + "field 'sync': a mirror region needs its sync"
                    + " service address (HOST:PORT)");
        }
        return new Region(name, role, store, peers, sync);
    }

    private static Path path(String source, String where, Map<?, ?> map, String field, Path folder)
            throws TopologyException {
        String text = string(source, where, map, field);
        try {
            return folder.resolve(text);
        } catch (InvalidPathException e) {
            throw new TopologyException(source + ": " + where + "'" + field + "': not a valid path: " + e.getMessage(), e);
        }
    }

    private static List<MetaPeer> peers(String source, String where, Object raw) throws TopologyException {
        if (!(raw instanceof List<?> list) || list.isEmpty()) {
            throw new TopologyException(source + ": " + where + "field 'meta': expected a non-empty list of"
                    + " ID=HOST:PORT (e.g. [n1=10.0.0.1:9860])");
        }
        if (list.size() > PEERS_MAX) {
            throw new TopologyException(source + ": " + where + "field 'meta': " + list.size() + " peers, at most " + PEERS_MAX);
        }
        List<MetaPeer> peers = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Object item : list) {
            if (!(item instanceof String spec)) {
                throw new TopologyException(source + ": " + where + "field 'meta': '" + item
                        + "' is not a string ID=HOST:PORT (quote it if YAML read it as something else)");
            }
            MetaPeer peer;
            try {
                peer = MetaPeer.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new TopologyException(source + ": " + where + "field 'meta': " + e.getMessage(), e);
            }
            if (!ids.add(peer.id())) {
                throw new TopologyException(source + ": " + where + "field 'meta': peer id '" + peer.id() + "' appears twice");
            }
            peers.add(peer);
        }
        return peers;
    }

    private static void checkStore(String source, String where, String store) throws TopologyException {
        URI uri;
        try {
            uri = new URI(store);
        } catch (URISyntaxException e) {
            throw new TopologyException(source + ": " + where + "field 'store': malformed URI: " + e.getReason(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!STORE_SCHEMES.contains(scheme)) {
            throw new TopologyException(source + ": " + where + "field 'store': unknown scheme '" + scheme
                    + "'; use file://, s3://, gs:// or az://");
        }
        if (uri.getRawUserInfo() != null) {
            throw new TopologyException(source + ": " + where + "field 'store': the URI carries credentials;"
                    + " topology files are shared, pass secrets as store options instead");
        }
    }

    /** Names and stores unique across regions, exactly one primary, no two nodes on one address. */
    private static void checkAcrossRegions(String source, List<Region> regions) throws TopologyException {
        Set<String> names = new HashSet<>();
        Map<String, String> stores = new HashMap<>();
        Map<String, String> addresses = new HashMap<>();
        List<String> primaries = new ArrayList<>();
        for (Region r : regions) {
            if (!names.add(r.name())) {
                throw new TopologyException(source + ": region '" + r.name() + "': field 'name': two regions have this name");
            }
            String sameStore = stores.put(r.storeUri(), r.name());
            if (sameStore != null) {
                throw new TopologyException(source + ": region '" + r.name() + "': field 'store': same store as region '"
                        + sameStore + "'; each region needs its own bucket or prefix");
            }
            if (r.isPrimary()) {
                primaries.add(r.name());
            }
            for (MetaPeer p : r.meta()) {
                // Each node also listens on raftPort + 1 for its admin/changelog service.
                claim(source, r, "meta", p.host() + ":" + p.raftPort(), addresses);
                claim(source, r, "meta", p.host() + ":" + (p.raftPort() + 1), addresses);
            }
            if (r.sync().isPresent()) {
                claim(source, r, "sync", r.sync().get().toString(), addresses);
            }
        }
        if (primaries.size() != 1) {
            throw new TopologyException(source + ": field 'regions': exactly one region must have role primary, found "
                    + (primaries.isEmpty() ? "none" : primaries.size() + " " + primaries));
        }
    }

    private static void claim(String source, Region r, String field, String address, Map<String, String> taken)
            throws TopologyException {
        String owner = r.name() + "." + field;
        String earlier = taken.putIfAbsent(address, owner);
        if (earlier != null && !earlier.equals(owner)) {
            throw new TopologyException(source + ": region '" + r.name() + "': field '" + field + "': address "
                    + address + " is already used by " + earlier + " (nodes listen on PORT and PORT+1)");
        } else if (earlier != null) {
            throw new TopologyException(source + ": region '" + r.name() + "': field '" + field + "': address "
                    + address + " is used twice (nodes listen on PORT and PORT+1)");
        }
    }

    private static void checkKeys(String source, String where, Map<?, ?> map, Set<String> allowed)
            throws TopologyException {
        for (Object key : map.keySet()) {
            if (!(key instanceof String k) || !allowed.contains(k)) {
                throw new TopologyException(source + ": " + where + "unknown field '" + key + "'; allowed: "
                        + new java.util.TreeSet<>(allowed));
            }
        }
    }

    private static String string(String source, String where, Map<?, ?> map, String field) throws TopologyException {
        Object v = map.get(field);
        if (v == null) {
            throw new TopologyException(source + ": " + where + "missing field '" + field + "'");
        }
        if (!(v instanceof String s) || s.isBlank()) {
            throw new TopologyException(source + ": " + where + "field '" + field + "': expected a non-empty string, got '" + v + "'");
        }
        return s.trim();
    }
}
