package io.mirrorfs.client.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.client.testing.EngineMetadata;
import io.mirrorfs.client.testing.MemoryStore;
import io.mirrorfs.client.testing.TestMount;
import io.mirrorfs.client.vfs.VfsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random namespace operations through the mount with real syscalls, against an in-memory model of
 * path → kind; after every step whether the call succeeded and the whole tree must match the model.
 * Replay: -Dseed=N.
 */
class NamespaceModelTest {
    @TempDir Path tmp;

    private static String randomPath(Random r) {
        StringBuilder p = new StringBuilder("n" + r.nextInt(4));
        if (r.nextBoolean()) {
            p.insert(0, "n" + r.nextInt(3) + "/");
        }
        return p.toString();
    }

    @Test
    void randomOperationsMatchTheModel() throws Exception {
        long seed = Long.getLong("seed", System.nanoTime());
        Random r = new Random(seed);
        TreeMap<String, String> model = new TreeMap<>(); // path → "d" | "f" | "l"
        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", 1 << 20);
             TestMount m = TestMount.of(meta, new MemoryStore(), tmp, "mnt", VfsConfig.defaults(), 1.0)) {
            for (int step = 0; step < 400; step++) {
                String a = randomPath(r);
                String b = randomPath(r);
                String parentA = a.contains("/") ? a.substring(0, a.indexOf('/')) : null;
                String parentB = b.contains("/") ? b.substring(0, b.indexOf('/')) : null;
                boolean parentAOk = parentA == null || "d".equals(model.get(parentA));
                boolean parentBOk = parentB == null || "d".equals(model.get(parentB));
                int op = r.nextInt(6);
                boolean expected;
                boolean actual;
                switch (op) {
                    case 0 -> {
                        expected = parentAOk && !model.containsKey(a);
                        actual = attempt(() -> Files.createDirectory(m.path(a)));
                        if (expected) model.put(a, "d");
                    }
                    case 1 -> {
                        expected = parentAOk && !model.containsKey(a);
                        actual = attempt(() -> Files.writeString(m.path(a), a, java.nio.file.StandardOpenOption.CREATE_NEW,
                                java.nio.file.StandardOpenOption.WRITE));
                        if (expected) model.put(a, "f");
                    }
                    case 2 -> {
                        String kind = model.get(a);
                        boolean emptyDir = "d".equals(kind) && model.keySet().stream().noneMatch(k -> k.startsWith(a + "/"));
                        expected = kind != null && (!"d".equals(kind) || emptyDir);
                        actual = attempt(() -> Files.delete(m.path(a)));
                        if (expected) model.remove(a);
                    }
                    case 3 -> {
                        expected = parentAOk && !model.containsKey(a);
                        actual = attempt(() -> Files.createSymbolicLink(m.path(a), Path.of("target-" + a.replace('/', '-'))));
                        if (expected) model.put(a, "l");
                    }
                    case 4 -> {
                        // link(2) on Linux links a symlink itself, not its target
                        String kind = model.get(a);
                        expected = kind != null && !"d".equals(kind) && parentBOk && !model.containsKey(b);
                        actual = attempt(() -> Files.createLink(m.path(b), m.path(a)));
                        if (expected) model.put(b, kind);
                    }
                    default -> {
                        // rename of non-directories only, onto a free name (keeps the model simple)
                        String kind = model.get(a);
                        expected = kind != null && !"d".equals(kind) && parentBOk && !model.containsKey(b);
                        if (expected || kind == null || !"d".equals(kind)) {
                            actual = expected && attempt(() -> Files.move(m.path(a), m.path(b)));
                            if (expected) {
                                model.remove(a);
                                model.put(b, kind);
                            }
                        } else {
                            actual = expected;
                        }
                    }
                }
                assertThat(actual).as("seed %d step %d op %d on %s %s", seed, step, op, a, b).isEqualTo(expected);
                assertThat(tree(m.root)).as("seed %d step %d", seed, step).isEqualTo(model);
            }
        }
    }

    private interface Io {
        void run() throws IOException;
    }

    private static boolean attempt(Io io) {
        try {
            io.run();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static TreeMap<String, String> tree(Path root) throws IOException {
        TreeMap<String, String> t = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (p.equals(root)) continue;
                String kind = Files.isSymbolicLink(p) ? "l" : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "d" : "f";
                t.put(root.relativize(p).toString(), kind);
            }
        }
        return t;
    }
}
