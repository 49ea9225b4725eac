package io.mirrorfs.chaos.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file-system operations a chaos client performs inside its container, each a few real syscalls
 * on the FUSE mount, one request line in, one reply line out (tokens without spaces):
 * <pre>
 *   SETX path value      → OK                  setxattr user.chaos.register (a register write)
 *   GETX path            → OK value | ABSENT   getxattr (a register read)
 *   CREATE path content  → OK                  open(O_CREAT|O_EXCL), write, fsync, close
 *   LIST dir             → OK name name ...    readdir
 *   READ path            → OK content          read the whole file
 *   anything failing     → ERR reason
 * </pre>
 * Non-final on purpose: a test-scope subclass breaks one operation to show the checkers catch it.
 */
public class FsAgent {
    /** The xattr the metadata-level register workload uses too ({@code user.} is added by the JDK). */
    static final String REGISTER_XATTR = "chaos.register";
    private static final int LIST_NAMES_MAX = 1_000_000;
    private static final int VALUE_BYTES_MAX = 4096;

    public final String handle(String line) {
        String[] words = line.trim().split(" ");
        try {
            return switch (words[0]) {
                case "SETX" -> setRegister(Path.of(words[1]), words[2]);
                case "GETX" -> getRegister(Path.of(words[1]));
                case "CREATE" -> createDurably(Path.of(words[1]), words[2]);
                case "LIST" -> list(Path.of(words[1]));
                case "READ" -> "OK " + Files.readString(Path.of(words[1]), StandardCharsets.UTF_8);
                default -> "ERR unknown request " + words[0];
            };
        } catch (IOException | RuntimeException e) {
            return "ERR " + e.toString().replace('\n', ' ');
        }
    }

    protected String setRegister(Path file, String value) throws IOException {
        UserDefinedFileAttributeView xattrs = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        xattrs.write(REGISTER_XATTR, ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
        return "OK";
    }

    protected String getRegister(Path file) throws IOException {
        UserDefinedFileAttributeView xattrs = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        ByteBuffer value = ByteBuffer.allocate(VALUE_BYTES_MAX);
        try {
            xattrs.read(REGISTER_XATTR, value);
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("No data available")) {
                return "ABSENT"; // ENODATA: never written
            }
            throw e;
        }
        value.flip();
        return "OK " + StandardCharsets.UTF_8.decode(value);
    }

    /** Acknowledged only once fsync returned: the file and its bytes must then survive anything. */
    protected String createDurably(Path file, String content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        return "OK";
    }

    private static String list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.limit(LIST_NAMES_MAX).forEach(p -> names.add(p.getFileName().toString()));
        }
        return names.isEmpty() ? "OK" : "OK " + String.join(" ", names);
    }
}
