package gradus.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Copies what one remote task writes (rank 0's log: header, progress bar, epoch lines) to a log on the driver, as it
 * comes: a server socket on the driver's address that accepts one connection.
 */
final class LogRelay implements AutoCloseable {
    private final ServerSocket server;
    private final Thread copier;

    LogRelay(String host, PrintStream log) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getByName(host));
        copier = Thread.ofPlatform().daemon().name("gradus-log-relay").start(() -> {
            try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) {
                    log.write(buf, 0, n);
                    log.flush();
                }
            } catch (IOException e) {
                // closed before rank 0 connected (a failed job): nothing to copy
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    /** Waits for the remote side to close its end (all its lines copied), a few seconds at most. */
    void awaitEnd() {
        try {
            copier.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
