package io.mirrorfs.client.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * mmap reads and writes on files of a FUSE mount, done by a separate JVM. A test JVM that serves
 * the mount must not touch a mapping of it itself: a page fault on a mapped FUSE file blocks the
 * faulting thread in Java code (not in a native call) until the daemon answers, and the daemon's
 * threads live in the same JVM — the first safepoint (a GC) waits for the faulting thread, which
 * waits for the daemon, which waits for the safepoint. So the test sends each mmap operation to this
 * worker over a pipe; every call is bounded by a deadline, after which the worker is killed.
 *
 * <p>Protocol (DataOutput): 'R' path offset length → status, bytes; 'W' path offset length bytes →
 * status (map READ_WRITE — which extends the file like FileChannel.map does —, put, force = msync).
 * Status 0 = done, 1 = failed followed by a message.
 */
public final class MmapWorker implements AutoCloseable {
    private static final long CALL_WAIT_SECONDS = 60;

    private final Process process;
    private final DataOutputStream toWorker;
    private final DataInputStream fromWorker;
    private final ExecutorService caller = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mmap-worker-call");
        t.setDaemon(true);
        return t;
    });

    private MmapWorker(Process process) {
        this.process = process;
        this.toWorker = new DataOutputStream(process.getOutputStream());
        this.fromWorker = new DataInputStream(process.getInputStream());
    }

    public static MmapWorker start() throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                MmapWorker.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new MmapWorker(p);
    }

    /** Reads {@code length} bytes at {@code offset} through a read-only mapping (must lie inside the file). */
    public byte[] read(Path file, long offset, int length) throws IOException {
        return call(() -> {
            toWorker.writeByte('R');
            toWorker.writeUTF(file.toString());
            toWorker.writeLong(offset);
            toWorker.writeInt(length);
            toWorker.flush();
            checkStatus();
            byte[] data = new byte[length];
            fromWorker.readFully(data);
            return data;
        });
    }

    /** Writes through a shared mapping and msyncs it; the mapping extends the file if it reaches past its end. */
    public void write(Path file, long offset, byte[] data) throws IOException {
        call(() -> {
            toWorker.writeByte('W');
            toWorker.writeUTF(file.toString());
            toWorker.writeLong(offset);
            toWorker.writeInt(data.length);
            toWorker.write(data);
            toWorker.flush();
            checkStatus();
            return null;
        });
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T call(Call<T> call) throws IOException {
        Future<T> result = caller.submit(call::run);
        try {
            return result.get(CALL_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("mmap worker did not answer within " + CALL_WAIT_SECONDS + " s; killed it", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted waiting for the mmap worker", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private void checkStatus() throws IOException {
        if (fromWorker.readByte() != 0) {
            throw new IOException("mmap worker: " + fromWorker.readUTF());
        }
    }

    @Override
    public void close() throws IOException {
        caller.shutdownNow();
        toWorker.close(); // end of input: the worker exits
        try {
            if (!process.waitFor(CALL_WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    // ------------------------------------------------------------------------------------------
    // The worker process

    public static void main(String[] args) throws Exception {
        DataInputStream in = new DataInputStream(System.in);
        DataOutputStream out = new DataOutputStream(System.out);
        System.setOut(System.err); // stdout carries the protocol only
        while (true) {
            int command = in.read();
            if (command < 0) {
                return;
            }
            Path file = Path.of(in.readUTF());
            long offset = in.readLong();
            int length = in.readInt();
            byte[] data = new byte[length];
            if (command == 'W') {
                in.readFully(data);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer map = ch.map(command == 'W' ? FileChannel.MapMode.READ_WRITE
                        : FileChannel.MapMode.READ_ONLY, offset, length);
                try {
                    if (command == 'W') {
                        map.put(data);
                        map.force();
                    } else {
                        map.get(data);
                    }
                } finally {
                    unmap(map);
                }
                out.writeByte(0);
                if (command == 'R') {
                    out.write(data);
                }
            } catch (IOException | RuntimeException e) {
                out.writeByte(1);
                out.writeUTF(e.toString());
            }
            out.flush();
        }
    }

    /** Unmaps now rather than at some later GC: a mapping left behind keeps the file — and the mount — busy. */
    private static void unmap(MappedByteBuffer map) throws IOException {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Method invokeCleaner = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
            invokeCleaner.invoke(theUnsafe.get(null), map);
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot unmap", e);
        }
    }
}
