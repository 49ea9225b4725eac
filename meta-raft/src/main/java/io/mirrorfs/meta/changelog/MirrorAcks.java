package io.mirrorfs.meta.changelog;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The progress each mirror last acknowledged. Held in memory on the primary's nodes: mirrors ack
 * periodically, and until every registered mirror has acked (after a restart or leader change) the
 * retention policy treats the missing ones as at index 0, so nothing they need is trimmed below the
 * hard cap. Registered mirrors come from the topology; an unknown name is still recorded (and
 * reported) but cannot hold retention.
 */
public final class MirrorAcks {
    /** One mirror's last acknowledgement. */
    public record Ack(String mirror, long appliedIndex, long dataWatermark, long atMillis) {}

    private final Supplier<Set<String>> registered;
    private final Map<String, Ack> acks = new ConcurrentHashMap<>();

    public MirrorAcks(Set<String> registeredMirrors) {
        Set<String> fixed = Set.copyOf(registeredMirrors);
        this.registered = () -> fixed;
    }

    /**
     * Registration that changes at run time: a node's group can turn from primary (its mirror regions
     * hold retention) into a mirror (its sync service does) without a restart.
     */
    public MirrorAcks(Supplier<Set<String>> registeredMirrors) {
        this.registered = registeredMirrors;
    }

    public Set<String> registered() {
        return Set.copyOf(registered.get());
    }

    /** Records an ack; acks never move backwards (a delayed one is ignored). */
    public void record(String mirror, long appliedIndex, long dataWatermark, long atMillis) {
        acks.merge(mirror, new Ack(mirror, appliedIndex, dataWatermark, atMillis),
                (old, now) -> now.appliedIndex() >= old.appliedIndex() ? now : old);
    }

    public Optional<Ack> get(String mirror) {
        return Optional.ofNullable(acks.get(mirror));
    }

    /** The applied index each registered mirror acked, 0 for those not heard from. */
    public Map<String, Long> registeredAppliedIndexes() {
        Map<String, Long> out = new TreeMap<>();
        for (String m : registered()) {
            out.put(m, get(m).map(Ack::appliedIndex).orElse(0L));
        }
        return out;
    }

    public Map<String, Ack> all() {
        return new TreeMap<>(acks);
    }
}
