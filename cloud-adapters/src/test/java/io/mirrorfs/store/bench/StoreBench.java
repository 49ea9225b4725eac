package io.mirrorfs.store.bench;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import io.mirrorfs.store.StoreOptions;
import io.mirrorfs.store.s3.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Put/get throughput of {@code S3Store} against S3Proxy (in-memory, auth off) on loopback, for 4 MiB
 * blocks and 64 KiB objects, at 1 and 8 threads, next to plain {@code curl} moving the same objects
 * (one curl process per run, connection reuse, {@code -Z} for the parallel run). Not a unit test: run
 * it by hand (see cloud-adapters/README.md). Args: [blockCount] [smallCount].
 */
public final class StoreBench {

    private interface Work {
        void run(int i) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 48;
        int smalls = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Path tmp = Files.createTempDirectory("mirrorfs-bench");
        try (S3ProxyServer server = S3ProxyServer.start(false, "bench");
             ObjectStore store = ObjectStores.open("s3://bench?endpoint=" + server.endpoint(), StoreOptions.defaults()
                     .with("s3.accessKeyId", "anonymous").with("s3.secretAccessKey", "anonymous"))) {
            System.out.printf("%-28s %8s %8s %10s %10s%n", "case", "objects", "threads", "MiB/s", "ops/s");
            for (int[] c : new int[][] {{4 << 20, blocks}, {64 << 10, smalls}}) {
                int size = c[0];
                int count = c[1];
                byte[] data = new byte[size];
                new Random(size).nextBytes(data);
                String label = size >= (1 << 20) ? (size >> 20) + "MiB" : (size >> 10) + "KiB";
                // Warm the JIT (client and the in-process server) so the first measured case is not the cold one.
                timed(4, Math.min(count, 40), i -> store.put("warm-" + label + "/" + i, data));
                timed(4, Math.min(count, 40), i -> store.get("warm-" + label + "/" + i));
                for (int threads : new int[] {1, 8}) {
                    String p = "java-" + label + "-" + threads + "/";
                    report("java put " + label, count, threads, size,
                            timed(threads, count, i -> store.put(p + i, data)));
                    report("java get " + label, count, threads, size, timed(threads, count, i -> {
                        if (store.get(p + i).length != size) {
                            throw new IllegalStateException("short read");
                        }
                    }));
                }
                Path file = tmp.resolve("obj-" + label);
                Files.write(file, data);
                for (int threads : new int[] {1, 8}) {
                    String p = "curl-" + label + "-" + threads + "/";
                    StringBuilder put = new StringBuilder();
                    StringBuilder get = new StringBuilder();
                    for (int i = 0; i < count; i++) {
                        String url = server.endpoint() + "/bench/" + p + i;
                        put.append("url = \"").append(url).append("\"\nupload-file = \"").append(file)
                                .append("\"\noutput = \"/dev/null\"\n");
                        get.append("url = \"").append(url).append("\"\noutput = \"/dev/null\"\n");
                    }
                    report("curl put " + label, count, threads, size, curl(tmp, put.toString(), threads));
                    report("curl get " + label, count, threads, size, curl(tmp, get.toString(), threads));
                }
            }
        } finally {
            try (var walk = Files.walk(tmp)) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    private static double timed(int threads, int count, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                fs.add(pool.submit(() -> {
                    work.run(n);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(10, TimeUnit.MINUTES);
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }

    private static double curl(Path tmp, String config, int threads) throws Exception {
        Path cfg = Files.writeString(tmp.resolve("curl.cfg"), config);
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--fail", "-K", cfg.toString()));
        if (threads > 1) {
            cmd.addAll(List.of("-Z", "--parallel-max", String.valueOf(threads)));
        }
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("curl.log").toFile()).start();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("curl failed: " + Files.readString(tmp.resolve("curl.log")));
            }
        } finally {
            p.destroyForcibly();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static void report(String name, int count, int threads, int size, double seconds) {
        System.out.printf("%-28s %8d %8d %10.1f %10.0f%n", name, count, threads,
                (double) count * size / (1 << 20) / seconds, count / seconds);
    }
}
