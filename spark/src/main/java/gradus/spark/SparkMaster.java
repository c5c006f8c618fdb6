package gradus.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/** Checks a Spark master URL before Spark starts: Spark itself retries an unreachable standalone master for a minute. */
final class SparkMaster {
    static final int CONNECT_TIMEOUT_MS = 5_000;

    private SparkMaster() {}

    /** spark://host:port[,host2:port2]: at least one master must accept a TCP connection; other schemes are left to Spark. */
    static void requireReachable(String master) {
        if (master == null || master.isBlank()) throw new IllegalArgumentException("--spark needs a master URL, e.g. local[2] or spark://host:7077");
        if (!master.startsWith("spark://")) return;
        String failures = "";
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            URI uri = URI.create("spark://" + hostPort);
            if (uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("Spark master '" + master + "': '" + hostPort + "' is not host:port");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), CONNECT_TIMEOUT_MS);
                return;
            } catch (IOException e) {
                failures += (failures.isEmpty() ? "" : "; ") + hostPort + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        throw new IllegalArgumentException("cannot reach the Spark master " + master + " (" + failures + "): is it running, and is the port open?");
    }
}
