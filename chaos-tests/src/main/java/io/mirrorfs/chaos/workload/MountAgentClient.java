package io.mirrorfs.chaos.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One workload thread's connection to a client container's file-system agent
 * ({@code io.mirrorfs.chaos.agent.FsAgentMain}): one request line, one reply line, with a deadline.
 * After a timeout or error the connection is dropped (the agent may still be inside the syscall) and
 * the next request opens a new one. Not thread-safe: one per thread.
 */
public final class MountAgentClient implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final InetSocketAddress agent;
    private Socket socket;
    private BufferedReader in;

    public MountAgentClient(InetSocketAddress agent) {
        this.agent = agent;
    }

    /** Sends {@code request}; returns the reply line. Any IOException (incl. timeout) means "no answer". */
    public String call(String request, long timeoutMillis) throws IOException {
        try {
            if (socket == null) {
                socket = new Socket();
                socket.connect(agent, CONNECT_TIMEOUT_MILLIS);
                in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            }
            socket.setSoTimeout((int) timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String reply = in.readLine();
            if (reply == null) {
                throw new IOException("agent closed the connection");
            }
            return reply;
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // dropping the connection anyway
            }
            socket = null;
            in = null;
        }
    }
}
