package io.mirrorfs.chaos.mirror;

import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;

/**
 * Registers as files of a mount: a write overwrites the file's 8 bytes in place (one slice commit,
 * atomic for readers: no truncate in between); a read reads the whole file (absent = null). Each
 * call is recorded in a history. Values are fixed-width numbers, one writer per key.
 */
final class RegisterFiles {
    private final HistoryRecorder history;

    RegisterFiles(HistoryRecorder history) {
        this.history = history;
    }

    static String value(long n) {
        return String.format("%08d", n);
    }

    void write(int process, Path root, String key, String value) {
        HistoryRecorder.Pending op = history.invoke(process, OpType.WRITE, key, value);
        try (FileChannel ch = FileChannel.open(root.resolve(key), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(value.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                ch.write(bytes, bytes.position());
            }
        } catch (IOException e) {
            op.info(e.toString()); // the commit may or may not have happened
            return;
        }
        op.ok();
    }

    void read(int process, Path root, String key) {
        HistoryRecorder.Pending op = history.invoke(process, OpType.READ, key, null);
        try {
            op.ok(new String(Files.readAllBytes(root.resolve(key)), StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            op.ok(null);
        } catch (IOException e) {
            op.info(e.toString());
        }
    }
}
