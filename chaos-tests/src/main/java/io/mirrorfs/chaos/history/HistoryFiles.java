package io.mirrorfs.chaos.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a history as JSON lines, one operation per line, times relative to {@code originNanos} in
 * microseconds. Hand-written (the module has no JSON library and the format is flat).
 */
public final class HistoryFiles {
    private HistoryFiles() {}

    public static void writeJsonLines(Path file, List<Operation> history, long originNanos) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Operation op : history) {
                w.write("{\"id\":" + op.id() + ",\"process\":" + op.process()
                        + ",\"type\":\"" + op.type() + "\",\"key\":" + quote(op.key())
                        + ",\"value\":" + (op.value() == null ? "null" : quote(op.value()))
                        + ",\"invokeMicros\":" + (op.invokeNanos() - originNanos) / 1000
                        + ",\"completeMicros\":" + (op.completeNanos() - originNanos) / 1000
                        + ",\"outcome\":\"" + op.outcome() + "\""
                        + ",\"error\":" + (op.error() == null ? "null" : quote(op.error())) + "}");
                w.newLine();
            }
        }
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
