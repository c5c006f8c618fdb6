package gradus.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** Writes IDX files, optionally gzip-compressed (best compression), readable by {@link IdxReader} and other MNIST tools. */
public final class IdxWriter {
    private IdxWriter() {}

    public static void write(Path file, IdxData idx, boolean gzip) {
        int[] shape = idx.shape();
        if (shape.length < 1 || shape.length > 255) throw new IllegalArgumentException("IDX needs 1 to 255 dimensions, got " + shape.length);
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             DataOutputStream out = new DataOutputStream(gzip ? new BestGzip(raw) : raw)) {
            out.write(new byte[]{0, 0, (byte) idx.type().code, (byte) shape.length});
            for (int d : shape) out.writeInt(d); // big-endian, as IDX requires
            out.write(idx.data());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static final class BestGzip extends GZIPOutputStream {
        BestGzip(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_COMPRESSION);
        }
    }
}
