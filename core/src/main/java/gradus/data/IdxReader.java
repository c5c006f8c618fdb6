package gradus.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format), raw or gzip-compressed: the compression is recognised by
 * its magic bytes, not the file name. Every problem is reported as a {@link DataException} naming
 * the file: wrong magic number, unknown type, truncated data, trailing bytes, corrupt gzip.
 */
public final class IdxReader {
    private static final int MAX_DIMS = 16;

    private IdxReader() {}

    public static IdxData read(Path file) {
        try (InputStream in = open(file)) {
            boolean compressed = in instanceof GZIPInputStream;
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4) {
                throw problem(file, "too short for an IDX header (" + magic.length + " bytes)");
            }
            if (magic[0] != 0 || magic[1] != 0) {
                throw problem(file, "not an IDX file: magic number " + hex(magic) + " should start with two zero bytes");
            }
            IdxType type = IdxType.ofCode(magic[2] & 0xFF);
            if (type == null) {
                throw problem(file, String.format("unknown IDX element type 0x%02X in magic number %s (known: %s)",
                        magic[2] & 0xFF, hex(magic), Arrays.toString(IdxType.values())));
            }
            int dims = magic[3] & 0xFF;
            if (dims < 1 || dims > MAX_DIMS) throw problem(file, "bad number of dimensions " + dims + " in magic number " + hex(magic));
            byte[] header = in.readNBytes(4 * dims);
            if (header.length < 4 * dims) throw problem(file, "truncated: header ends before its " + dims + " dimensions");
            int[] shape = new int[dims];
            long count = 1;
            for (int i = 0; i < dims; i++) {
                shape[i] = (header[4 * i] & 0xFF) << 24 | (header[4 * i + 1] & 0xFF) << 16 | (header[4 * i + 2] & 0xFF) << 8 | header[4 * i + 3] & 0xFF;
                if (shape[i] < 0) throw problem(file, "dimension " + i + " (at byte offset " + (4 + 4 * i) + ") is negative (" + shape[i] + ")");
                count = multiply(file, count, shape[i], shape, type);
            }
            long headerBytes = 4 + 4L * dims;
            long bytes = multiply(file, count, type.bytes, shape, type);
            if (bytes > Integer.MAX_VALUE - 8) {
                throw problem(file, "shape " + Arrays.toString(shape) + " of " + type + " is too large (" + bytes + " bytes)");
            }
            if (!compressed) {
                // A raw file's size is known: check the header against it before allocating anything.
                long present = Files.size(file) - headerBytes;
                if (present < bytes) {
                    throw problem(file, "truncated: header says " + Arrays.toString(shape) + " " + type + " (" + bytes
                            + " bytes of data from byte offset " + headerBytes + ") but only " + present + " follow");
                }
            }
            byte[] data = readData(in, (int) bytes);
            if (data.length < bytes) {
                throw problem(file, "truncated: header says " + Arrays.toString(shape) + " " + type + " (" + bytes
                        + " bytes of data from byte offset " + headerBytes + ") but only " + data.length + " follow");
            }
            if (in.read() != -1) {
                throw problem(file, "unexpected bytes after the " + Arrays.toString(shape) + " " + type + " data (from byte offset "
                        + (headerBytes + bytes) + ")");
            }
            return new IdxData(type, shape, data);
        } catch (NoSuchFileException e) {
            throw problem(file, "no such file", e);
        } catch (EOFException e) {
            throw problem(file, "truncated gzip stream (" + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw problem(file, "corrupt gzip stream (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw problem(file, "cannot read: " + e, e);
        }
    }

    /** {@code a × b} in exact arithmetic; an overflow means a corrupt header, not a data set. */
    private static long multiply(Path file, long a, long b, int[] shape, IdxType type) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw problem(file, "shape " + Arrays.toString(shape) + " of " + type + " has more elements than any file can hold");
        }
    }

    /**
     * Up to {@code bytes} bytes of {@code in}. The buffer grows with the bytes that actually arrive, so a
     * compressed file whose header claims more than it holds costs no more than what it does hold.
     */
    private static byte[] readData(InputStream in, int bytes) throws IOException {
        byte[] data = new byte[Math.min(bytes, 1 << 16)];
        int got = 0;
        while (true) {
            int r = in.readNBytes(data, got, data.length - got);
            got += r;
            if (got < data.length) return Arrays.copyOf(data, got);
            if (got == bytes) return data;
            data = Arrays.copyOf(data, (int) Math.min(bytes, 2L * data.length));
        }
    }

    /** The file's bytes, decompressed when it starts with the gzip magic bytes 1F 8B. */
    private static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        if (b0 == 0x1F && b1 == 0x8B) {
            try {
                return new GZIPInputStream(in, 1 << 16);
            } catch (IOException e) {
                in.close();
                throw e;
            }
        }
        return in;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder("0x");
        for (byte x : b) s.append(String.format("%02X", x & 0xFF));
        return s.toString();
    }

    private static DataException problem(Path file, String what) {
        return new DataException(file + ": " + what);
    }

    private static DataException problem(Path file, String what, Throwable cause) {
        return new DataException(file + ": " + what, cause);
    }
}
