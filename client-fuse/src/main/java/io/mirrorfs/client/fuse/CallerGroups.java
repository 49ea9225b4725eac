package io.mirrorfs.client.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supplementary groups of the process behind a FUSE request, which libfuse2's context does not
 * carry: read from the {@code Groups:} line of {@code /proc/PID/status} and cached briefly per pid
 * (a process rarely changes its groups; a pid reused within the TTL by a process with other groups
 * is the accepted staleness, the same order as the kernel's attribute cache). Bounded map.
 */
final class CallerGroups {
    private static final Logger log = LoggerFactory.getLogger(CallerGroups.class);
    private static final long TTL_NANOS = 1_000_000_000L;
    private static final int PIDS_MAX = 4096;
    private static final int GROUPS_MAX = 256;
    private static final int[] NONE = new int[0];

    private record Cached(int[] groups, long expiresAtNanos) {}

    private final ConcurrentHashMap<Integer, Cached> byPid = new ConcurrentHashMap<>();
    private final Path proc;

    CallerGroups(Path proc) {
        this.proc = proc;
    }

    /** The process's supplementary groups; none if it is gone or unreadable (permission checks then use uid/gid). */
    int[] of(int pid) {
        if (pid <= 0) {
            return NONE;
        }
        long now = System.nanoTime();
        Cached c = byPid.get(pid);
        if (c != null && now - c.expiresAtNanos() < 0) {
            return c.groups();
        }
        int[] groups = read(pid);
        if (byPid.size() >= PIDS_MAX) {
            byPid.clear();
        }
        byPid.put(pid, new Cached(groups, now + TTL_NANOS));
        return groups;
    }

    private int[] read(int pid) {
        try {
            List<String> lines = Files.readAllLines(proc.resolve(Integer.toString(pid)).resolve("status"),
                    StandardCharsets.UTF_8);
            for (String line : lines) {
                if (line.startsWith("Groups:")) {
                    return parse(line.substring("Groups:".length()));
                }
            }
            return NONE;
        } catch (NoSuchFileException gone) {
            return NONE; // the process already exited: nothing to check with
        } catch (IOException | RuntimeException e) {
            log.debug("cannot read the groups of pid {}: {}", pid, e.toString());
            return NONE;
        }
    }

    static int[] parse(String list) {
        String trimmed = list.trim();
        if (trimmed.isEmpty()) {
            return NONE;
        }
        return Arrays.stream(trimmed.split("\\s+")).limit(GROUPS_MAX).mapToInt(s -> (int) Long.parseLong(s)).toArray();
    }
}
