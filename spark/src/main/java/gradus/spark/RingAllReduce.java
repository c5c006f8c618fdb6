package gradus.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Sums float buffers across N ranks connected in a ring over plain TCP sockets: a reduce-scatter then an
 * all-gather, each N−1 steps of one chunk (1/N of the buffer) sent to the next rank while one is received from the
 * previous, so every rank sends 2(N−1)/N of the buffer. Each chunk is summed by one path around the ring and then
 * copied to all, so every rank ends with bit-identical sums.
 */
public final class RingAllReduce implements Closeable {
    /** How long a rank waits for its neighbour before failing the task (Spark then retries the stage). */
    static final int TIMEOUT_MS = 120_000;
    /** Chunks up to this size are written on the caller's thread (a thread hand-off costs more than they take to send). */
    private static final int INLINE_BYTES = 16 << 10;

    private final int rank, size;
    private final ServerSocket server;
    private Socket toNext, fromPrev;
    private DataOutputStream out;
    private DataInputStream in;
    private final ExecutorService sender;
    private byte[] sendBytes = new byte[0], recvBytes = new byte[0];
    private long bytesSent;
    private long nanos;

    /**
     * Binds a port, publishes {@code host:port} through {@code exchange} (which returns every rank's address in rank
     * order, e.g. {@code BarrierTaskContext.allGather}), then connects to the next rank and accepts the previous one.
     */
    public RingAllReduce(int rank, int size, String host, Function<String, String[]> exchange) throws IOException {
        if (size < 1 || rank < 0 || rank >= size) throw new IllegalArgumentException("rank " + rank + " of " + size);
        this.rank = rank;
        this.size = size;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(0));
        server.setSoTimeout(TIMEOUT_MS);
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gradus-allreduce-send-" + rank);
            t.setDaemon(true);
            return t;
        });
        try {
            String[] addresses = exchange.apply(host + ":" + server.getLocalPort());
            if (addresses.length != size) throw new IOException("expected " + size + " ring addresses, got " + addresses.length);
            if (size > 1) connect(addresses[(rank + 1) % size]);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void connect(String next) throws IOException {
        int colon = next.lastIndexOf(':');
        toNext = new Socket();
        toNext.connect(new InetSocketAddress(next.substring(0, colon), Integer.parseInt(next.substring(colon + 1))), TIMEOUT_MS);
        toNext.setTcpNoDelay(true);
        fromPrev = server.accept(); // the previous rank connects as we did: every server was bound before the exchange
        fromPrev.setSoTimeout(TIMEOUT_MS);
        out = new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 16));
        in = new DataInputStream(new BufferedInputStream(fromPrev.getInputStream(), 1 << 16));
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** Bytes this rank has sent so far. */
    public long bytesSent() {
        return bytesSent;
    }

    /** Seconds this rank has spent in {@link #sumInPlace}. */
    public double seconds() {
        return nanos / 1e9;
    }

    /** Replaces {@code a[from, from+length)} by its sum over all ranks; every rank must call it with the same length. */
    public void sumInPlace(float[] a, int from, int length) throws IOException {
        if (size == 1 || length == 0) return;
        long start = System.nanoTime();
        for (int s = 0; s < size - 1; s++) { // reduce-scatter: after it, this rank holds the full sum of chunk rank+1
            exchange(a, from, length, Math.floorMod(rank - s, size), Math.floorMod(rank - s - 1, size), true);
        }
        for (int s = 0; s < size - 1; s++) { // all-gather: pass the finished chunks around
            exchange(a, from, length, Math.floorMod(rank - s + 1, size), Math.floorMod(rank - s, size), false);
        }
        nanos += System.nanoTime() - start;
    }

    private int chunkStart(int from, int length, int chunk) {
        return from + (int) ((long) length * chunk / size);
    }

    /** Sends chunk {@code send} to the next rank while receiving chunk {@code recv} from the previous one. */
    private void exchange(float[] a, int from, int length, int send, int recv, boolean add) throws IOException {
        int s0 = chunkStart(from, length, send), sn = chunkStart(from, length, send + 1) - s0;
        int r0 = chunkStart(from, length, recv), rn = chunkStart(from, length, recv + 1) - r0;
        if (sendBytes.length < 4 * sn) sendBytes = new byte[4 * sn];
        if (recvBytes.length < 4 * rn) recvBytes = new byte[4 * rn];
        ByteBuffer.wrap(sendBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(a, s0, sn);
        byte[] bytes = sendBytes;
        Future<?> sent = null;
        if (4 * sn <= INLINE_BYTES) { // fits the socket buffers: both neighbours can write before they read
            out.write(bytes, 0, 4 * sn);
            out.flush();
        } else {
            sent = sender.submit(() -> {
                out.write(bytes, 0, 4 * sn);
                out.flush();
                return null;
            });
        }
        try {
            in.readFully(recvBytes, 0, 4 * rn);
        } catch (java.io.EOFException e) {
            throw new IOException("rank " + Math.floorMod(rank - 1, size) + " closed the ring (it failed or was stopped)", e);
        }
        var received = ByteBuffer.wrap(recvBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        if (add) {
            for (int i = 0; i < rn; i++) a[r0 + i] += received.get(i);
        } else {
            received.get(a, r0, rn);
        }
        try {
            if (sent != null) sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending to rank " + (rank + 1) % size, e);
        } catch (ExecutionException e) {
            throw new IOException("sending to rank " + (rank + 1) % size + " failed: " + e.getCause(), e.getCause());
        }
        bytesSent += 4L * sn;
    }

    @Override
    public void close() {
        sender.shutdownNow();
        for (Closeable c : new Closeable[]{toNext, fromPrev, server}) {
            try {
                if (c != null) c.close();
            } catch (IOException ignored) {
                // closing: the peer sees the end of the stream either way
            }
        }
    }
}
