package gradus.io;

import gradus.files.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Safetensors headers cost memory in proportion to the file, and every bad entry names its offset (issue 13, item 18). */
class SafetensorsHeaderTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    private Path file(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("t" + System.nanoTime() + ".safetensors");
        Files.write(f, ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).put(data).array());
        return f;
    }

    private static String problem(Path f) {
        var e = assertThrows(FileFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void twoHundredThousandEntriesCostAFewTimesTheFile() throws IOException {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < 200_000; i++) {
            h.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        Path f = file(h.append('}').toString(), new byte[0]);
        long size = Files.size(f);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        assertEquals(200_000, Safetensors.readHeader(f).tensors().size());
        long header = THREADS.getCurrentThreadAllocatedBytes() - before;
        before = THREADS.getCurrentThreadAllocatedBytes();
        assertEquals(200_000, Safetensors.read(f).tensors().size());
        long read = THREADS.getCurrentThreadAllocatedBytes() - before;
        // Parsed as a JSON tree the header alone cost 25×, and reading 48×, the file.
        assertTrue(header < 12 * size, "parsing the header allocated " + header + " bytes for a " + size + "-byte file");
        assertTrue(read < 16 * size, "reading allocated " + read + " bytes for a " + size + "-byte file");
    }

    @Test
    void badEntriesNameTensorAndByteOffset() throws IOException {
        String ok = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        Path dims = file("{" + ok + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1,4294967296],\"data_offsets\":[4,8]}}", new byte[8]);
        String m = problem(dims);
        assertTrue(m.contains("shape of tensor 'b' must hold non-negative integers, got 4294967296 at index 1")
                && m.contains("(header entry at byte " + (8 + 1 + ok.length() + 1) + ")"), m);
        Path big = file("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999999]}}", new byte[4]);
        assertTrue(problem(big).contains("data_offsets of tensor 'b' must be [begin, end] integers, got 99999999999999999999999 at index 1"));
        Path three = file("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", new byte[4]);
        assertTrue(problem(three).contains("got 3 numbers (header entry at byte 9)"), problem(three));
        Path trailing = file("{" + ok + "}{}", new byte[4]);
        assertTrue(problem(trailing).contains("content after the closing '}' at byte"), problem(trailing));
        Path beyond = file("{" + ok + "}", new byte[2]);
        assertTrue(problem(beyond).contains("beyond the 2-byte data buffer (file bytes"), problem(beyond));
    }

    @Test
    void unknownEntryFieldsAreSkippedWholesale() throws IOException {
        Path f = file("{\"a\":{\"extra\":{\"shape\":[\"x\"]},\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"more\":[1,[2]]}}",
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).array());
        assertEquals(1.5f, Safetensors.read(f).tensors().get("a").item());
    }
}
