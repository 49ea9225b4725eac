package io.mirrorfs.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Keeps the watermark in a small file, replaced atomically, so a crash leaves the old or the new value. */
public final class FileWatermarkSink implements WatermarkSink {
    private final Path file;

    public FileWatermarkSink(Path file) {
        this.file = file;
    }

    @Override
    public synchronized long lastPublished() throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("watermark file " + file + " holds '" + text + "', not a number", e);
        }
    }

    @Override
    public synchronized void publish(long watermark) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(watermark), StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
