package io.mirrorfs.cli.failover;

import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The regions of one topology, each with a {@link RegionHandle}. The topology file only gives the
 * initial roles; who is primary now is read from the groups themselves (role and epoch).
 */
public final class Deployment implements AutoCloseable {
    private final Topology topology;
    private final Map<String, RegionHandle> handles = new LinkedHashMap<>();
    private final java.util.Set<String> unreachable = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public Deployment(Topology topology, Duration callDeadline) {
        this.topology = topology;
        for (Region r : topology.regions()) {
            handles.put(r.name(), new RegionHandle(r, callDeadline));
        }
    }

    public Topology topology() {
        return topology;
    }

    public String volume() {
        return topology.volume();
    }

    /** The named region, or a refusal that lists the regions there are. */
    public RegionHandle region(String name) throws FailoverException {
        RegionHandle h = handles.get(name);
        if (h == null) {
            throw new FailoverException("no region '" + name + "' in the topology (regions: "
                    + String.join(", ", handles.keySet()) + "); nothing changed");
        }
        return h;
    }

    /** A reachable region and its state. */
    public record Observed(RegionHandle handle, MirrorState state) {
        public String name() {
            return handle.name();
        }
    }

    /**
     * The region that is primary now: the reachable group with role PRIMARY and the highest epoch,
     * not counting {@code except}. Empty when none answers (e.g. the primary region is down).
     * A group whose role is not recorded yet (UNSET: before the failover machinery wrote one) counts
     * as the topology's initial role.
     */
    public Optional<Observed> currentPrimary(String except) {
        Observed best = null;
        for (RegionHandle h : handles.values()) {
            if (h.name().equals(except)) {
                continue;
            }
            Optional<MirrorState> s = h.stateIfReachable();
            if (s.isEmpty()) {
                unreachable.add(h.name());
            } else {
                unreachable.remove(h.name());
            }
            if (s.isPresent() && isPrimary(h.region(), s.get())
                    && (best == null || s.get().getEpoch() > best.state().getEpoch())) {
                best = new Observed(h, s.get());
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The highest epoch any reachable region reports (a new primary's epoch must exceed it). Regions
     * found unreachable by {@link #currentPrimary} in this run are not probed again: each probe of a
     * dead region costs the whole call deadline, and it would add nothing (unreachable = no epoch).
     */
    public long highestEpoch(MirrorState known) {
        long epoch = known.getEpoch();
        for (RegionHandle h : handles.values()) {
            if (unreachable.contains(h.name())) {
                continue;
            }
            epoch = Math.max(epoch, h.stateIfReachable().map(MirrorState::getEpoch).orElse(0L));
        }
        return epoch;
    }

    public static boolean isPrimary(Region region, MirrorState state) {
        String role = state.getRole();
        if (role.isEmpty() || role.equals("UNSET")) {
            return region.isPrimary();
        }
        return role.equals(RegionHandle.ROLE_PRIMARY);
    }

    /** The volume's block size, from the first region that answers (4 MiB, the default, if none does). */
    public int blockSizeBytes() {
        for (RegionHandle h : handles.values()) {
            try {
                int size = h.client().query(io.mirrorfs.api.client.MetaOps.volume())
                        .get(5, java.util.concurrent.TimeUnit.SECONDS).getVolume().getBlockSizeBytes();
                if (size > 0) {
                    return size;
                }
            } catch (Exception e) {
                // not answering: ask the next region
            }
        }
        return DEFAULT_BLOCK_SIZE_BYTES;
    }

    static final int DEFAULT_BLOCK_SIZE_BYTES = 4 << 20;

    public String describe() {
        return handles.keySet().stream().collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        handles.values().forEach(RegionHandle::close);
    }
}
