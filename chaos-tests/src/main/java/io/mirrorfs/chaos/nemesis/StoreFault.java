package io.mirrorfs.chaos.nemesis;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Random;

/**
 * Object-store faults under the sync service: it wraps its source and target stores in
 * cloud-adapters' FaultInjectingStore and polls {@code controlFile} for the settings, so the fault
 * can be switched on and off while it runs. Injected: retryable errors with a probability, extra
 * latency, and (on reads) corrupted data, which the copy must catch by its CRC check.
 * The line format is {@code retryable=P latencyMillisMax=N corruptedRead=P}, or {@code none}.
 */
final class StoreFault implements Fault {
    public static final String NONE = "none";
    private final Path controlFile;

    StoreFault(Path controlFile) {
        this.controlFile = controlFile;
    }

    @Override
    public String name() {
        return "store-faults";
    }

    @Override
    public String inject(Random random) throws Exception {
        double retryable = 0.2 + 0.5 * random.nextDouble();
        int latencyMillisMax = random.nextInt(300);
        double corrupted = random.nextBoolean() ? 0.1 : 0;
        String line = String.format(Locale.ROOT, "retryable=%.2f latencyMillisMax=%d corruptedRead=%.2f", retryable,
                latencyMillisMax, corrupted);
        write(line);
        return line;
    }

    @Override
    public void heal() throws Exception {
        write(NONE);
    }

    /** Written to a temporary file and moved, so the poller never reads half a line. */
    private void write(String line) throws java.io.IOException {
        Path tmp = controlFile.resolveSibling(controlFile.getFileName() + ".tmp");
        Files.writeString(tmp, line + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, controlFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
