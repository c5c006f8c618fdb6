package gradus.io;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.zip.CRC32C;

/**
 * Writes TensorBoard scalar summaries to an event file {@code events.out.tfevents.<seconds>.<host>}:
 * TFRecord framing around hand-encoded {@code Event} protobufs, starting with the
 * {@code brain.Event:2} version record. TensorBoard tails the file, so {@link #flush} makes what was
 * written so far visible.
 */
public final class TensorBoardWriter implements Closeable, Flushable {
    /** What TensorBoard looks for in a file name. */
    public static final String FILE_MARK = "tfevents";
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path file;
    private final OutputStream out;
    private final DoubleSupplier clock;
    private final ByteArrayOutputStream event = new ByteArrayOutputStream(64);
    private final ByteArrayOutputStream nested = new ByteArrayOutputStream(64);

    private TensorBoardWriter(Path file, OutputStream out, DoubleSupplier clock) throws IOException {
        this.file = file;
        this.out = out;
        this.clock = clock;
        writeFileVersion();
    }

    /** Creates a new event file in {@code logDir} (created if missing); wall times come from the system clock. */
    public static TensorBoardWriter create(Path logDir) throws IOException {
        return create(logDir, () -> System.currentTimeMillis() / 1000.0);
    }

    /** As {@link #create(Path)}, with wall times in seconds since the epoch from {@code clock}. */
    public static TensorBoardWriter create(Path logDir, DoubleSupplier clock) throws IOException {
        Files.createDirectories(logDir);
        String base = String.format(Locale.ROOT, "events.out.%s.%010d.%s", FILE_MARK, (long) clock.getAsDouble(), hostName());
        // two writers in one directory within a second (a quick rerun) get distinct files, as TF's suffix allows
        for (int attempt = 0; ; attempt++) {
            Path file = logDir.resolve(attempt == 0 ? base : base + "." + attempt);
            try {
                OutputStream os = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new TensorBoardWriter(file, new BufferedOutputStream(os, 1 << 16), clock);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 1000) throw e;
            }
        }
    }

    /** An event writer onto any stream (tests, sockets); the caller owns the file name. */
    public static TensorBoardWriter onStream(OutputStream out, DoubleSupplier clock) throws IOException {
        return new TensorBoardWriter(null, out, clock);
    }

    /** The event file; null for a writer made with {@link #onStream}. */
    public Path file() {
        return file;
    }

    /** One scalar at {@code step}. */
    public void addScalar(String tag, double value, long step) throws IOException {
        addScalars(Map.of(tag, value), step);
    }

    /** Several scalars at one step, in one event (NaN and infinities are written as they are). */
    public void addScalars(Map<String, Double> values, long step) throws IOException {
        if (values.isEmpty()) return;
        ByteArrayOutputStream summary = new ByteArrayOutputStream(32 * values.size());
        for (var e : values.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) throw new IllegalArgumentException("a TensorBoard scalar needs a non-empty tag");
            nested.reset();
            writeBytesField(nested, 1, e.getKey().getBytes(StandardCharsets.UTF_8)); // Value.tag
            nested.write(tag(2, 5));                                                  // Value.simple_value: float
            writeIntLE(nested, Float.floatToRawIntBits(e.getValue().floatValue()));
            writeBytesField(summary, 1, nested.toByteArray());                        // Summary.value
        }
        event.reset();
        writeWallTimeAndStep(step);
        writeBytesField(event, 5, summary.toByteArray());                             // Event.summary
        writeRecord(event.toByteArray());
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void writeFileVersion() throws IOException {
        event.reset();
        writeWallTimeAndStep(0);
        writeBytesField(event, 3, "brain.Event:2".getBytes(StandardCharsets.US_ASCII)); // Event.file_version
        writeRecord(event.toByteArray());
        out.flush();
    }

    /** Event.wall_time (field 1, double) and Event.step (field 2, varint; left out when 0, as proto3 does). */
    private void writeWallTimeAndStep(long step) {
        event.write(tag(1, 1));
        long bits = Double.doubleToRawLongBits(clock.getAsDouble());
        writeIntLE(event, (int) bits);
        writeIntLE(event, (int) (bits >>> 32));
        if (step != 0) {
            event.write(tag(2, 0));
            writeVarint(event, step);
        }
    }

    /** TFRecord: length (uint64 LE), masked CRC32C of those 8 bytes, the data, masked CRC32C of the data. */
    private void writeRecord(byte[] data) throws IOException {
        byte[] header = new byte[12];
        long n = data.length;
        for (int i = 0; i < 8; i++) header[i] = (byte) (n >>> (8 * i));
        putIntLE(header, 8, maskedCrc32c(header, 0, 8));
        byte[] footer = new byte[4];
        putIntLE(footer, 0, maskedCrc32c(data, 0, data.length));
        out.write(header);
        out.write(data);
        out.write(footer);
    }

    /** TensorFlow's masked CRC32C: rotate right by 15 bits and add 0xa282ead8, so CRCs of CRCs stay unlikely to collide. */
    public static int maskedCrc32c(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private static int tag(int field, int wireType) {
        return (field << 3) | wireType; // every field number here is below 16, so the key is one byte
    }

    private static void writeBytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
        out.write(tag(field, 2));
        writeVarint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void writeIntLE(ByteArrayOutputStream out, int v) {
        for (int i = 0; i < 4; i++) out.write(v >>> (8 * i));
    }

    private static void putIntLE(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) b[off + i] = (byte) (v >>> (8 * i));
    }

    /** The host part of the file name; characters outside [A-Za-z0-9._-] become '_'. */
    private static String hostName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException | SecurityException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        return host.isEmpty() ? "localhost" : host.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
