package io.mirrorfs.client.mirror;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a read on a mirror mount promises (DESIGN §4, "Consistent reads on a mirror mount"):
 * {@code linearizable}, {@code session} (read-your-writes and monotonic reads, the default) or
 * {@code bounded:<duration>} (at most that stale, measured against the primary).
 */
public sealed interface ConsistencyMode {

    /** The longest staleness bound accepted: beyond a day "bounded" is a typo, not a policy. */
    Duration BOUND_MAX = Duration.ofDays(1);

    /** Every read reflects every write acknowledged before the read began, anywhere. */
    record Linearizable() implements ConsistencyMode {
        @Override
        public String toString() {
            return "linearizable";
        }
    }

    /** Reads reflect this mount's own writes and never go back in time. */
    record Session() implements ConsistencyMode {
        @Override
        public String toString() {
            return "session";
        }
    }

    /** A read at time t reflects everything the primary had at some time at or after t − staleness. */
    record Bounded(Duration staleness) implements ConsistencyMode {
        public Bounded {
            if (staleness.isNegative() || staleness.isZero() || staleness.compareTo(BOUND_MAX) > 0) {
                throw new IllegalArgumentException("bounded staleness must be in (0, 1d]: " + staleness);
            }
        }

        @Override
        public String toString() {
            return "bounded:" + staleness.toMillis() + "ms";
        }
    }

    ConsistencyMode SESSION = new Session();
    ConsistencyMode LINEARIZABLE = new Linearizable();

    Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    /**
     * Parses {@code linearizable}, {@code session} or {@code bounded:<n>(ms|s|m|h)}; anything else is
     * an IllegalArgumentException whose message says what is accepted.
     */
    static ConsistencyMode parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "linearizable":
                return LINEARIZABLE;
            case "session":
                return SESSION;
            case "bounded":
            case "bounded:":
                throw new IllegalArgumentException("consistency 'bounded' needs a duration, e.g. bounded:500ms or bounded:5s");
            default:
                break;
        }
        if (t.startsWith("bounded:")) {
            return new Bounded(parseDuration(t.substring("bounded:".length())));
        }
        throw new IllegalArgumentException("unknown consistency mode '" + text
                + "'; expected linearizable, session or bounded:<duration> (e.g. bounded:2s)");
    }

    private static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "' in bounded:<duration>; use a whole number with "
                    + "a unit: ms, s, m or h (e.g. bounded:500ms)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero() || d.compareTo(BOUND_MAX) > 0) {
            throw new IllegalArgumentException("bounded staleness must be more than 0 and at most 1 day, got '" + text + "'");
        }
        return d;
    }
}
