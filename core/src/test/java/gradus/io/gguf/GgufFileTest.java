package gradus.io.gguf;

import gradus.files.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufFileTest {
    @TempDir
    Path dir;

    /** A file assembled byte by byte from the GGUF v3 spec (gguf.md), independently of GgufWriter. */
    @Test
    void readsAHandAssembledFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(160).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(1).putLong(2);
        string(b, "general.architecture").putInt(8);
        string(b, "llama");
        string(b, "n").putInt(4).putInt(7);                                   // UINT32
        string(b, "w").putInt(2).putLong(2).putLong(2).putInt(0).putLong(0);  // 2-d F32 [2, 2] at offset 0
        int dataAt = (b.position() + 31) / 32 * 32;
        b.position(dataAt).putFloat(1).putFloat(-2).putFloat(3.5f).putFloat(0.25f);
        Path file = dir.resolve("hand.gguf");
        Files.write(file, Arrays.copyOf(b.array(), b.position()));
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals("llama", gguf.getString("general.architecture"));
            assertEquals(7, gguf.getInt("n"));
            assertEquals(GgufValueType.UINT32, gguf.type("n"));
            assertEquals(dataAt, gguf.dataOffset());
            GgufTensor w = gguf.tensor("w");
            assertEquals(GgmlType.F32, w.type());
            assertArrayEquals(new long[] {2, 2}, w.shape());
            float[] values = new float[4];
            GgmlQuantization.decode(GgmlType.F32, w.data(), 0, 4, values, 0);
            assertArrayEquals(new float[] {1, -2, 3.5f, 0.25f}, values);
        }
    }

    @Test
    void metadataOfEveryTypeAndTensorsRoundTripWithTheAlignment() throws IOException {
        GgufWriter w = new GgufWriter()
                .put("u8", GgufValueType.UINT8, 200L).put("i8", GgufValueType.INT8, -5L)
                .put("u16", GgufValueType.UINT16, 60000L).put("i16", GgufValueType.INT16, -30000L)
                .put("u32", GgufValueType.UINT32, 4_000_000_000L).put("i32", GgufValueType.INT32, -2_000_000_000L)
                .put("f32", GgufValueType.FLOAT32, 1.5f).put("bool", GgufValueType.BOOL, true)
                .put("str", GgufValueType.STRING, "héllo ▁ 😀").put("u64", GgufValueType.UINT64, Long.MIN_VALUE)
                .put("i64", GgufValueType.INT64, -7L).put("f64", GgufValueType.FLOAT64, Math.PI)
                .putUint32("general.alignment", 64)
                .putArray("ints", new GgufArray(GgufValueType.INT32, new long[] {1, -2, 3}))
                .putArray("strings", new GgufArray(GgufValueType.STRING, new String[] {"a", "", "<0x0A>"}))
                .putArray("nested", new GgufArray(GgufValueType.ARRAY, new GgufArray[] {
                        new GgufArray(GgufValueType.FLOAT32, new float[] {0.5f}), new GgufArray(GgufValueType.BOOL, new boolean[] {false, true})}));
        float[] values = new float[64];
        for (int i = 0; i < values.length; i++) values[i] = (i - 30) / 7f;
        w.addTensor("a", GgmlType.F32, new long[] {3}, new float[] {1, 2, 3});
        w.addTensor("b", GgmlType.Q8_0, new long[] {32, 2}, values);
        w.addTensor("c", GgmlType.F16, new long[] {64}, values);
        Path file = dir.resolve("all.gguf");
        w.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(200L, gguf.metadata().get("u8"));
            assertEquals(-5L, gguf.metadata().get("i8"));
            assertEquals(60000L, gguf.metadata().get("u16"));
            assertEquals(-30000L, gguf.metadata().get("i16"));
            assertEquals(4_000_000_000L, gguf.metadata().get("u32"));
            assertEquals(-2_000_000_000L, gguf.metadata().get("i32"));
            assertEquals(1.5f, gguf.getFloat("f32"));
            assertEquals(true, gguf.metadata().get("bool"));
            assertEquals("héllo ▁ 😀", gguf.getString("str"));
            assertEquals(Long.MIN_VALUE, gguf.metadata().get("u64"));
            assertEquals(Math.PI, gguf.metadata().get("f64"));
            assertEquals(new GgufArray(GgufValueType.INT32, new long[] {1, -2, 3}), gguf.getArray("ints", GgufValueType.INT32));
            assertArrayEquals(new String[] {"a", "", "<0x0A>"}, (String[]) gguf.getArray("strings", GgufValueType.STRING).values());
            GgufArray[] nested = (GgufArray[]) gguf.getArray("nested", GgufValueType.ARRAY).values();
            assertArrayEquals(new boolean[] {false, true}, (boolean[]) nested[1].values());
            assertEquals(GgufValueType.INT16, gguf.type("i16"));
            assertEquals(64, gguf.alignment());
            for (GgufTensor t : gguf.tensors().values()) assertEquals(0, t.fileOffset() % 64, t.name());
            assertEquals(34 * 2, gguf.tensor("b").data().byteSize());
            float[] back = new float[64];
            GgmlQuantization.decode(GgmlType.F16, gguf.tensor("c").data(), 0, 64, back, 0);
            for (int i = 0; i < 64; i++) assertEquals(values[i], back[i], Math.abs(values[i]) / 1024, "F16 element " + i);
            assertThrows(FileFormatException.class, () -> gguf.getInt("u32"), "4e9 does not fit an int");
        }
    }

    /** Every proper prefix of a valid file is refused with the field and the byte offset where it ends. */
    @Test
    void everyTruncationIsRefusedNamingAFieldAndAnOffset() throws IOException {
        byte[] whole = small().toBytes();
        Path file = dir.resolve("cut.gguf");
        for (int length = 0; length < whole.length; length++) {
            Files.write(file, Arrays.copyOf(whole, length));
            FileFormatException e = assertThrows(FileFormatException.class, () -> GgufFile.open(file).close(), "length " + length);
            assertTrue(e.getMessage().matches("(?s).*: .+ at byte \\d+: .*"), e.getMessage());
        }
        Files.write(file, whole);
        GgufFile.open(file).close();
    }

    @Test
    void lyingFieldsAreNamedWithTheirOffsets() throws IOException {
        // small(): key "a" (UINT32) at 24..41; tensor "w": name 41..50, n_dims 50, ne[0] 54, type 62, offset 66.
        assertError(patch(0, 'G', 'G', 'U', 'X'), "magic at byte 0: expected GGUF, got 0x58554747");
        assertError(patchInt(4, 2), "version at byte 4: expected 3, got 2");
        assertError(patchLong(8, 1L << 40), "tensor_count at byte 8: 1099511627776 items cannot fit");
        assertError(patchLong(16, -1), "metadata_kv_count at byte 16: 18446744073709551615 items cannot fit");
        assertError(patchLong(24, 1L << 33), "metadata key 0 length at byte 24: 8589934592 bytes run past the end");
        assertError(patchInt(33, 13), "metadata a type at byte 33: unknown value type 13");
        assertError(patchInt(50, 5), "tensor w n_dims at byte 50: must be 1..4, got 5");
        assertError(patchLong(54, 1L << 40), "tensor w shape at byte 50: needs more bytes than the file's");
        assertError(patchInt(62, 99), "tensor w type at byte 62: ggml type 99 is not supported");
        assertError(patchInt(62, GgmlType.Q8_0.id()), "tensor w ne[0] at byte 50: 8 is not a multiple of the Q8_0 block size 32");
        assertError(patchLong(66, 3), "tensor w offset at byte 66: 3 is not a multiple of the alignment 32");
        assertError(patchLong(66, 1L << 20), "tensor w data at byte 41: bytes [1048672, +32) run past the end of the file");
        assertError(patch(32, 'a'), null); // unchanged key: still valid
    }

    @Test
    void duplicatesAndBadAlignmentAreRefused() throws IOException {
        byte[] dupKey = new GgufWriter().putUint32("a", 1).toBytes();
        // Two entries with one key cannot come from the writer's map: splice the entry in twice by hand.
        ByteBuffer b = ByteBuffer.allocate(dupKey.length + 17).order(ByteOrder.LITTLE_ENDIAN);
        b.put(dupKey, 0, 16).position(16).putLong(2);
        b.put(dupKey, 24, 17).put(dupKey, 24, 17);
        assertError(Arrays.copyOf(b.array(), b.position()), "metadata key a at byte 41: duplicate");
        assertError(new GgufWriter().putUint32("general.alignment", 48).toBytes(), "metadata general.alignment at byte 49: must be a UINT32 power of two, got UINT32 48");
        assertError(new GgufWriter().putFloat32("general.alignment", 32).toBytes(), "metadata general.alignment at byte 49: must be a UINT32 power of two");
    }

    static GgufWriter small() {
        return new GgufWriter().putUint32("a", 7).addTensor("w", GgmlType.F32, new long[] {8}, new float[8]);
    }

    private void assertError(byte[] bytes, String expected) throws IOException {
        Path file = dir.resolve("bad.gguf");
        Files.write(file, bytes);
        if (expected == null) {
            GgufFile.open(file).close();
            return;
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> GgufFile.open(file).close(), expected);
        assertTrue(e.getMessage().contains(expected), "expected «" + expected + "» in «" + e.getMessage() + "»");
    }

    private static byte[] patch(int at, int... bytes) {
        byte[] b = small().toBytes();
        for (int i = 0; i < bytes.length; i++) b[at + i] = (byte) bytes[i];
        return b;
    }

    private static byte[] patchInt(int at, int value) {
        byte[] b = small().toBytes();
        java.lang.foreign.MemorySegment.ofArray(b).set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, value);
        return b;
    }

    private static byte[] patchLong(int at, long value) {
        byte[] b = small().toBytes();
        java.lang.foreign.MemorySegment.ofArray(b).set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, value);
        return b;
    }

    private static ByteBuffer string(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return b.putLong(bytes.length).put(bytes);
    }
}
