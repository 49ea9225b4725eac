package io.mirrorfs.chaos.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The init program of a chaos client container: serves {@link FsAgent} requests on TCP (one
 * connection per workload thread of the test JVM, one request at a time on each), so the test drives a
 * FUSE mount in the container through real syscalls. The agent lives apart from the mount process: a
 * killed or paused mount fails or blocks the agent's syscalls, not the agent.
 *
 * <p>{@code FsAgentMain ID PORT [AGENT_CLASS]}; prints {@code READY ID} once accepting.
 */
public final class FsAgentMain {
    private static final int REQUEST_CHARS_MAX = 64 * 1024;

    private FsAgentMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            throw new IllegalArgumentException("usage: FsAgentMain ID PORT [AGENT_CLASS]");
        }
        FsAgent agent = args.length == 3
                ? (FsAgent) Class.forName(args[2]).getDeclaredConstructor().newInstance()
                : new FsAgent();
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(Integer.parseInt(args[1])));
            System.out.println("READY " + args[0]);
            System.out.flush();
            while (true) {
                Socket s = server.accept();
                // A platform thread per connection: a syscall stuck on a paused mount pins its thread.
                Thread.ofPlatform().daemon().name("fs-agent").start(() -> serve(s, agent));
            }
        }
    }

    private static void serve(Socket socket, FsAgent agent) {
        try (socket;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.length() > REQUEST_CHARS_MAX) {
                    out.println("ERR request too long");
                } else {
                    out.println(agent.handle(line));
                }
                out.flush();
            }
        } catch (IOException e) {
            // the test side gave up on this connection (timeout): its next request uses a new one
        }
    }
}
