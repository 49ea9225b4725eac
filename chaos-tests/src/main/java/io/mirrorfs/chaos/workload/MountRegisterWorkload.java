package io.mirrorfs.chaos.workload;

import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Registers through a FUSE mount in a client container: a write is setxattr on the key's file, a read
 * getxattr (both real syscalls by the container's agent). Every error or timeout is indeterminate
 * (INFO): a syscall that failed with EIO or ENOTCONN may still have been committed. Recorded times
 * are the test JVM's around the request, so each interval encloses the real syscall.
 */
public final class MountRegisterWorkload {
    /** Pause after an indeterminate op: a killed mount answers ENOTCONN instantly, thousands per second. */
    private static final long ERROR_PAUSE_MILLIS = 50;
    private final InetSocketAddress agent;
    private final String mountPoint;
    private final HistoryRecorder history;
    private final List<String> keys;
    private final long opTimeoutMillis;
    private final int thinkMillisMax;

    public MountRegisterWorkload(InetSocketAddress agent, String mountPoint, HistoryRecorder history, List<String> keys,
                                 long opTimeoutMillis, int thinkMillisMax) {
        this.agent = agent;
        this.mountPoint = mountPoint;
        this.history = history;
        this.keys = List.copyOf(keys);
        this.opTimeoutMillis = opTimeoutMillis;
        this.thinkMillisMax = thinkMillisMax;
    }

    public void run(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        int generation = 0;
        int n = 0;
        try (MountAgentClient client = new MountAgentClient(agent)) {
            while (!stop.getAsBoolean()) {
                int process = ProcessIds.of(thread, generation);
                String key = keys.get(random.nextInt(keys.size()));
                String path = mountPoint + "/" + key;
                boolean indeterminate = random.nextBoolean()
                        ? write(client, process, key, path, "m" + thread + "." + (n++))
                        : read(client, process, key, path);
                if (indeterminate) {
                    generation++; // Jepsen's rule: the old process may still have that op in flight
                }
                if (indeterminate) {
                    Thread.sleep(ERROR_PAUSE_MILLIS); // a dead mount fails at once: do not flood the history
                }
                if (thinkMillisMax > 0) {
                    Thread.sleep(random.nextInt(thinkMillisMax + 1));
                }
            }
        }
    }

    private boolean write(MountAgentClient client, int process, String key, String path, String value) {
        HistoryRecorder.Pending p = history.invoke(process, OpType.WRITE, key, value);
        try {
            String reply = client.call("SETX " + path + " " + value, opTimeoutMillis);
            if (reply.equals("OK")) {
                p.ok();
                return false;
            }
            p.info(reply);
        } catch (IOException e) {
            p.info(e.toString());
        }
        return true;
    }

    private boolean read(MountAgentClient client, int process, String key, String path) {
        HistoryRecorder.Pending p = history.invoke(process, OpType.READ, key, null);
        try {
            String reply = client.call("GETX " + path, opTimeoutMillis);
            if (reply.equals("ABSENT")) {
                p.ok(null);
                return false;
            }
            if (reply.startsWith("OK ")) {
                p.ok(reply.substring(3));
                return false;
            }
            p.info(reply);
        } catch (IOException e) {
            p.info(e.toString());
        }
        return true;
    }
}
