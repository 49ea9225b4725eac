package io.mirrorfs.chaos.mirror;

import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.workload.MountAgentClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Read-only register clients on a mirror mount in a client container: getxattr of a key's file through
 * the container's agent (a real syscall on the FUSE mount). An error or timeout is indeterminate
 * (INFO), and the thread goes on as a new process (Jepsen's rule), so a session checker never
 * compares a read with one the old process may still have in flight.
 */
final class MirrorMountReader {
    /** Process ids of the readers start here, clear of the primary writer's (thread + 1000 × generation). */
    static final int PROCESS_BASE = 500;
    private static final int GENERATION_STRIDE = 1000;
    /** Pause after an indeterminate read: a broken mount fails at once, thousands of times a second. */
    private static final long ERROR_PAUSE_MILLIS = 50;

    private final InetSocketAddress agent;
    private final String mountPoint;
    private final HistoryRecorder history;
    private final List<String> keys;
    private final long opTimeoutMillis;
    private final int thinkMillisMax;

    MirrorMountReader(InetSocketAddress agent, String mountPoint, HistoryRecorder history, List<String> keys,
                      long opTimeoutMillis, int thinkMillisMax) {
        this.agent = agent;
        this.mountPoint = mountPoint;
        this.history = history;
        this.keys = List.copyOf(keys);
        this.opTimeoutMillis = opTimeoutMillis;
        this.thinkMillisMax = thinkMillisMax;
    }

    void run(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        int generation = 0;
        try (MountAgentClient client = new MountAgentClient(agent)) {
            while (!stop.getAsBoolean()) {
                int process = PROCESS_BASE + thread + GENERATION_STRIDE * generation;
                String key = keys.get(random.nextInt(keys.size()));
                if (!read(client, process, key)) {
                    generation++;
                    Thread.sleep(ERROR_PAUSE_MILLIS);
                }
                if (thinkMillisMax > 0) {
                    Thread.sleep(random.nextInt(thinkMillisMax + 1));
                }
            }
        }
    }

    /** True if the read was answered (OK), false if indeterminate. */
    private boolean read(MountAgentClient client, int process, String key) {
        HistoryRecorder.Pending p = history.invoke(process, OpType.READ, key, null);
        try {
            String reply = client.call("GETX " + mountPoint + "/" + key, opTimeoutMillis);
            if (reply.equals("ABSENT")) {
                p.ok(null);
                return true;
            }
            if (reply.startsWith("OK ")) {
                p.ok(reply.substring(3));
                return true;
            }
            p.info(reply);
        } catch (IOException e) {
            p.info(e.toString());
        }
        return false;
    }
}
