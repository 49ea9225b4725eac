package io.mirrorfs.chaos.cluster;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.wrap.FaultInjectingStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Applies the nemesis's store-fault line (see io.mirrorfs.chaos.nemesis.StoreFault:
 * {@code retryable=P latencyMillisMax=N corruptedRead=P}, or {@code none}) to every store it wrapped,
 * polling the file a few times a second. A line it cannot parse is reported and means no faults.
 */
final class StoreFaultControl {
    private static final long POLL_MILLIS = 200;
    private final Path file;
    private final List<FaultInjectingStore> stores = new CopyOnWriteArrayList<>();
    private String applied = "";

    StoreFaultControl(Path file) {
        this.file = file;
    }

    ObjectStore wrap(ObjectStore store, long seed) {
        FaultInjectingStore wrapped = new FaultInjectingStore(store, FaultInjectingStore.Faults.none(), seed);
        stores.add(wrapped);
        if (!applied.isEmpty()) {
            wrapped.setFaults(parse(applied));
        }
        return wrapped;
    }

    void start() {
        poll();
        Thread.ofPlatform().daemon().name("store-fault-control").start(() -> {
            while (true) {
                try {
                    Thread.sleep(POLL_MILLIS); // a poll interval of a file another process writes
                } catch (InterruptedException e) {
                    return;
                }
                poll();
            }
        });
    }

    private synchronized void poll() {
        String line;
        try {
            line = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return; // between the nemesis's write and move; the next poll sees it
        }
        if (line.equals(applied)) {
            return;
        }
        applied = line;
        FaultInjectingStore.Faults faults = parse(line);
        stores.forEach(s -> s.setFaults(faults));
        System.err.println("store faults now: " + line);
    }

    static FaultInjectingStore.Faults parse(String line) {
        if (line.isEmpty() || line.equals("none")) {
            return FaultInjectingStore.Faults.none();
        }
        Map<String, String> kv = new HashMap<>();
        for (String token : line.split("\\s+")) {
            String[] pair = token.split("=", 2);
            if (pair.length == 2) {
                kv.put(pair[0], pair[1]);
            }
        }
        try {
            return new FaultInjectingStore.Faults(Double.parseDouble(kv.getOrDefault("retryable", "0")), 0, 0,
                    Double.parseDouble(kv.getOrDefault("corruptedRead", "0")), 0,
                    Long.parseLong(kv.getOrDefault("latencyMillisMax", "0")));
        } catch (IllegalArgumentException e) {
            System.err.println("store fault line not understood, no faults: '" + line + "': " + e.getMessage());
            return FaultInjectingStore.Faults.none();
        }
    }
}
