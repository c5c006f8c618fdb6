package gradus.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** IDX headers are checked against the bytes that follow before anything is allocated (issue 13, item 15). */
class IdxHeaderTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    private static byte[] header(int type, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length).put(new byte[]{0, 0, (byte) type, (byte) dims.length});
        for (int d : dims) b.putInt(d);
        return b.array();
    }

    /** The error a read gives, checking it allocates less than {@code maxBytes} on the way. */
    private static DataException failure(Path file, long maxBytes) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(file));
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < maxBytes, "allocated " + allocated + " bytes for a tiny file: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e;
    }

    @Test
    void aRawHeaderClaimingTwoGigabytesIsRefusedBeforeAllocating() throws IOException {
        Path f = dir.resolve("huge-idx1-ubyte");
        Files.write(f, header(0x08, 2_000_000_000));
        String m = failure(f, 1 << 20).getMessage();
        assertTrue(m.contains("[2000000000]") && m.contains("2000000000 bytes of data from byte offset 8") && m.contains("only 0 follow"), m);
    }

    @Test
    void aGzipHeaderClaimingTwoGigabytesCostsOnlyWhatFollows() throws IOException {
        Path f = dir.resolve("huge-idx1-ubyte.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(header(0x0D, 500_000_000)); // floats: 2e9 bytes
            out.write(new byte[1000]);
        }
        String m = failure(f, 4 << 20).getMessage();
        assertTrue(m.contains("truncated") && m.contains("only 1000 follow"), m);
    }

    @Test
    void dimensionsWhoseProductWrapsToZeroAreNotAnEmptyDataSet() throws IOException {
        Path f = dir.resolve("wraps-to-zero");
        Files.write(f, header(0x08, 65536, 65536, 65536, 65536)); // 2^64 elements: 0 in wrapping arithmetic
        String m = failure(f, 1 << 20).getMessage();
        assertTrue(m.contains("[65536, 65536, 65536, 65536]") && m.contains("more elements than any file can hold"), m);
    }

    @Test
    void dimensionsWhoseProductWrapsNegativeAreReportedNotThrownAsAJdkError() throws IOException {
        Path f = dir.resolve("wraps-negative");
        Files.write(f, header(0x08, 65536, 65536, 65536, 32768)); // 2^63: Long.MIN_VALUE when wrapped
        String m = failure(f, 1 << 20).getMessage();
        assertTrue(m.contains("[65536, 65536, 65536, 32768]"), m);
        Path doubles = dir.resolve("doubles");
        Files.write(doubles, header(0x0E, 1 << 30, 1 << 30)); // 2^60 elements × 8 bytes wraps
        assertTrue(failure(doubles, 1 << 20).getMessage().contains("more elements than any file can hold"));
    }

    @Test
    void trailingBytesNameTheirOffset() throws IOException {
        Path f = dir.resolve("trailing");
        Files.write(f, new byte[]{0, 0, 8, 1, 0, 0, 0, 2, 4, 5, 6});
        assertTrue(failure(f, 1 << 20).getMessage().contains("from byte offset 10"));
    }

    @Test
    void idxDataRefusesAShapeWhoseSizeWraps() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IdxData(IdxType.UNSIGNED_BYTE, new int[]{65536, 65536, 65536, 65536}, new byte[0]));
        assertTrue(e.getMessage().contains("more than 2^63"), e.getMessage());
    }
}
