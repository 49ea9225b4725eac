package io.mirrorfs.chaos.workload;

import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * An append-only set through a FUSE mount: each op creates a uniquely named file ("c&lt;thread&gt;.&lt;n&gt;")
 * holding its own name, writes it and fsyncs it; the add is acknowledged only when fsync returned.
 * Errors and timeouts are indeterminate. {@link #finalListing} and {@link #contentMismatches} read
 * the directory and the acknowledged files back through the mount at the end.
 */
public final class MountSetWorkload {
    public static final String SET_KEY = "mount-created-files";

    /** Pause after an indeterminate op: a killed mount answers ENOTCONN instantly, thousands per second. */
    private static final long ERROR_PAUSE_MILLIS = 50;
    private final InetSocketAddress agent;
    private final String dir;
    private final HistoryRecorder history;
    private final long opTimeoutMillis;
    private final int thinkMillisMax;

    public MountSetWorkload(InetSocketAddress agent, String dir, HistoryRecorder history, long opTimeoutMillis,
                            int thinkMillisMax) {
        this.agent = agent;
        this.dir = dir;
        this.history = history;
        this.opTimeoutMillis = opTimeoutMillis;
        this.thinkMillisMax = thinkMillisMax;
    }

    public void run(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        int generation = 0;
        try (MountAgentClient client = new MountAgentClient(agent)) {
            for (int n = 0; !stop.getAsBoolean(); n++) {
                String name = "c" + thread + "." + n;
                HistoryRecorder.Pending p = history.invoke(ProcessIds.of(thread, generation), OpType.ADD, SET_KEY, name);
                try {
                    String reply = client.call("CREATE " + dir + "/" + name + " " + name, opTimeoutMillis);
                    if (reply.equals("OK")) {
                        p.ok();
                    } else {
                        p.info(reply);
                        generation++;
                        Thread.sleep(ERROR_PAUSE_MILLIS);
                    }
                } catch (IOException e) {
                    p.info(e.toString());
                    generation++;
                    Thread.sleep(ERROR_PAUSE_MILLIS);
                }
                if (thinkMillisMax > 0) {
                    Thread.sleep(random.nextInt(thinkMillisMax + 1));
                }
            }
        }
    }

    /** The directory's names, read through the mount (one readdir), or an exception if unanswered. */
    public List<String> finalListing(Duration timeout) throws IOException {
        try (MountAgentClient client = new MountAgentClient(agent)) {
            String reply = client.call("LIST " + dir, timeout.toMillis());
            if (!reply.startsWith("OK")) {
                throw new IOException("listing " + dir + ": " + reply);
            }
            String names = reply.substring(2).trim();
            return names.isEmpty() ? List.of() : Arrays.asList(names.split(" "));
        }
    }

    /** Acknowledged files (among {@code names}) whose bytes read back differ from what was written. */
    public List<String> contentMismatches(List<String> names, Duration timeoutEach) throws IOException {
        List<String> bad = new ArrayList<>();
        try (MountAgentClient client = new MountAgentClient(agent)) {
            for (String name : names) {
                String reply = client.call("READ " + dir + "/" + name, timeoutEach.toMillis());
                if (!reply.equals("OK " + name)) {
                    bad.add(name + ": " + reply);
                }
            }
        }
        return bad;
    }
}
