package io.mirrorfs.client.meta;

import io.mirrorfs.client.vfs.VfsConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The session TTL a mount asks for ({@code mirrorfs mount --session-ttl}), parsed and checked. The
 * mount heartbeats every third of it, so 3 s is the floor: below it a heartbeat a second and one
 * slow round trip (a leader election, a GC pause) would expire a healthy mount's session and drop its
 * locks. The ceiling is the server's (24 h).
 */
public final class SessionTtl {
    public static final Duration MOUNT_MIN = Duration.ofSeconds(3);
    public static final Duration MAX = VfsConfig.SESSION_TTL_MAX;
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private SessionTtl() {}

    /**
     * Parses a whole number with a unit ({@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}) between
     * {@link #MOUNT_MIN} and {@link #MAX}; anything else is an IllegalArgumentException whose message
     * says what is accepted.
     */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "'; use a whole number with a unit: ms, s, m"
                    + " or h (e.g. 30s)");
        }
        long n = Long.parseLong(m.group(1));
        Duration ttl = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (ttl.compareTo(MOUNT_MIN) < 0 || ttl.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is out of range: the session TTL must be at least "
                    + MOUNT_MIN.toSeconds() + "s (the mount heartbeats every third of it) and at most "
                    + MAX.toHours() + "h");
        }
        return ttl;
    }
}
