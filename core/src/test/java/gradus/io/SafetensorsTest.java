package gradus.io;

import gradus.files.FileFormatException;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static int[] bits(float[] values) {
        int[] b = new int[values.length];
        for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(values[i]);
        return b;
    }

    private static byte[] fileBytes(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private Path fixture() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("python-written.safetensors")) {
            assertNotNull(in, "fixture missing: run tools/golden/safetensors_fixture.py");
            return write("python-written.safetensors", in.readAllBytes());
        }
    }

    /** Reading must fail with a FileFormatException that names the file and contains {@code problem}. */
    private static void assertCorrupt(Path file, String problem) {
        var e = assertThrows(FileFormatException.class, () -> Safetensors.read(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
    }

    @Test
    void roundTripIsBitIdenticalAndKeepsOrder() throws IOException {
        float[] special = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc00001), Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, -1.17549435E-38f, 1e-45f};
        Tensor matrix = Tensor.normal(new Rng(7), 0f, 1f, 3, 5);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("z.special", Tensor.of(special));
        tensors.put("a.transposed", matrix.t()); // a non-contiguous view is written in row-major order
        tensors.put("d.rows", matrix.narrow(0, 1, 2)); // contiguous, but a view at an offset into a larger array
        tensors.put("m.scalar", Tensor.scalar(-3.5f));
        tensors.put("b.empty", Tensor.zeros(0, 4));
        tensors.put("c.big", Tensor.uniform(new Rng(1), -1f, 1f, 300_001)); // spans several 1 MiB chunks
        Map<String, IntTensor> ints = Map.of("labels", IntTensor.of(new int[]{3, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0, 7}, 2, 3));
        Path file = dir.resolve("round.safetensors");
        Safetensors.write(file, tensors, ints, Map.of("format", "gradus", "note", "ünïcode ✓"));

        var back = Safetensors.read(file, true);
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.tensors().keySet()));
        for (var e : tensors.entrySet()) {
            Tensor got = back.tensors().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertArrayEquals(bits(e.getValue().toArray()), bits(got.toArray()), e.getKey());
        }
        assertEquals(ints, back.intTensors());
        assertEquals(Map.of("format", "gradus", "note", "ünïcode ✓"), back.metadata());
        assertEquals(0, back.tensors().get("m.scalar").dim());

        var asFloats = Safetensors.read(file);
        assertTrue(asFloats.intTensors().isEmpty());
        assertArrayEquals(new float[]{3, -1, 2.14748365E9f, -2.14748365E9f, 0, 7}, asFloats.tensors().get("labels").toArray());
        assertArrayEquals(new int[]{2, 3}, asFloats.tensors().get("labels").shape());
    }

    @Test
    void layoutMatchesTheSpecExample() throws IOException {
        // serving-protocols.md §6: tensor w [2] → N = 56 (the 54-byte JSON padded with spaces), then 8 data bytes.
        var out = new ByteArrayOutputStream();
        Safetensors.write(out, Map.of("w", Tensor.of(new float[]{1f, -2f})), Map.of(), Map.of());
        ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(8 + 56 + 8, b.limit());
        assertEquals(56, b.getLong());
        byte[] header = new byte[56];
        b.get(header);
        assertEquals("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ", new String(header, StandardCharsets.US_ASCII));
        assertEquals(1f, b.getFloat());
        assertEquals(-2f, b.getFloat());
    }

    @Test
    void javaWrittenBytesMatchWhatAnIndependentPythonReaderParsed() throws IOException {
        // tools/golden/read_safetensors.py on this exact file printed N = 216, this header, and
        //   weight F32 [2, 3] [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] / bias F32 [3] [0.5, -1.0, 2.0] / steps I32 [2] [7, -8]
        //   metadata = {'format': 'gradus'} / OK
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("weight", Tensor.arange(6).reshape(2, 3));
        tensors.put("bias", Tensor.of(new float[]{0.5f, -1f, 2f}));
        var out = new ByteArrayOutputStream();
        Safetensors.write(out, tensors, Map.of("steps", IntTensor.of(new int[]{7, -8})), Map.of("format", "gradus"));
        byte[] bytes = out.toByteArray();
        String expectedHeader = "{\"__metadata__\":{\"format\":\"gradus\"},"
                + "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]},"
                + "\"steps\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[36,44]}}";
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(216, n);
        assertEquals(expectedHeader, new String(bytes, 8, (int) n, StandardCharsets.UTF_8).stripTrailing());
        assertEquals(8 + 216 + 44, bytes.length);
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + 216, 44).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : new float[]{0, 1, 2, 3, 4, 5, 0.5f, -1, 2}) assertEquals(v, data.getFloat());
        assertEquals(7, data.getInt());
        assertEquals(-8, data.getInt());
    }

    @Test
    void readsTheFileWrittenByPython() throws IOException {
        Path file = fixture();
        var c = Safetensors.read(file);
        // In data order (descending alignment, then name), not the header's alphabetical order.
        assertEquals(List.of("f64", "i64", "empty", "f32", "i32", "scalar", "bf16", "f16"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("format", "pt", "source", "tools/golden/safetensors_fixture.py"), c.metadata());
        assertArrayEquals(new float[]{0.1f, -2.5f, 0.001f}, c.tensors().get("f64").toArray());
        assertArrayEquals(new float[]{-7f, 123456789f}, c.tensors().get("i64").toArray());
        assertArrayEquals(new int[]{0, 3}, c.tensors().get("empty").shape());
        assertArrayEquals(new int[]{2, 3}, c.tensors().get("f32").shape());
        assertArrayEquals(new float[]{1.5f, -2.25f, 3f, 0.1f, 1e-8f, -1e30f}, c.tensors().get("f32").toArray());
        assertArrayEquals(new float[]{0f, -1f, 2147483647f, -2147483648f}, c.tensors().get("i32").toArray());
        assertEquals(0, c.tensors().get("scalar").dim());
        assertEquals(42f, c.tensors().get("scalar").item());
        // bf16 rounds 3e38 to 3.00405527047391e+38 (numpy's reading of the same bytes).
        assertArrayEquals(new float[]{1f, -3.140625f, 3.00405527047391e38f, 0.0078125f}, c.tensors().get("bf16").toArray());
        // f16: largest finite value and the smallest subnormal 2^-24.
        assertArrayEquals(new float[]{0.5f, -1f, 65504f, 0x1p-24f}, c.tensors().get("f16").toArray());

        var withInts = Safetensors.read(file, true);
        assertEquals(IntTensor.of(new int[]{0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}, 2, 2), withInts.intTensors().get("i32"));
        assertEquals(IntTensor.of(new int[]{-7, 123456789}), withInts.intTensors().get("i64"));
        assertFalse(withInts.tensors().containsKey("i32"));

        var header = Safetensors.readHeader(file);
        assertEquals(8, header.tensors().size());
        assertEquals(Safetensors.DType.BF16, header.tensors().get(6).dtype());
        assertEquals(8 + 552, header.dataStart());
    }

    @Test
    void everyTruncationIsReportedWithTheFileName() throws IOException {
        byte[] full = Files.readAllBytes(fixture());
        Path cut = dir.resolve("cut.safetensors");
        // Every cut in the length field and the data buffer, and every 5th inside the JSON (tests stay fast).
        for (int length = 0; length < full.length; length += length < 16 || length >= 8 + 552 - 8 ? 1 : 5) {
            Files.write(cut, Arrays.copyOf(full, length));
            String problem = length < 8 ? "shorter than the 8-byte header length"
                    : length < 8 + 552 ? "is larger than the " + (length - 8) + " bytes that follow it"
                    : "beyond the " + (length - 8 - 552) + "-byte data buffer";
            assertCorrupt(cut, problem);
        }
        Files.write(cut, Arrays.copyOf(full, full.length + 4));
        assertCorrupt(cut, "the last 4 bytes of the data buffer belong to no tensor");
    }

    @Test
    void everySingleByteFlipInTheHeaderReadsOrFailsCleanly() throws IOException {
        byte[] full = Files.readAllBytes(fixture());
        Path bad = dir.resolve("flipped.safetensors");
        int failures = 0;
        for (int i = 0; i < 8 + 552; i += i < 8 ? 1 : 3) {
            byte[] b = full.clone();
            b[i] ^= 0x5a;
            Files.write(bad, b);
            try {
                Safetensors.read(bad);
            } catch (FileFormatException e) {
                assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
                failures++;
            }
        }
        // Most flips must be caught; a few (inside metadata strings or names) still give a valid file.
        assertTrue(failures > 150, "only " + failures + " flips detected");
    }

    @Test
    void corruptHeadersNameTheFileAndTheProblem() throws IOException {
        byte[] eight = new byte[8];
        String w = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertCorrupt(write("short", new byte[5]), "5 bytes long, shorter than the 8-byte header length");
        assertCorrupt(write("huge", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array()),
                "header length 18446744073709551615 exceeds the limit");
        assertCorrupt(write("bracket", fileBytes("[" + w.substring(1), eight)), "does not start with '{'");
        assertCorrupt(write("json", fileBytes(w.replace("}}", "}"), eight)), "header is not valid JSON");
        assertCorrupt(write("trailing", fileBytes(w + "x", eight)), "header is not valid JSON");
        assertCorrupt(write("dup", fileBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight)), "Duplicate field 'w'");
        assertCorrupt(write("dtype", fileBytes(w.replace("F32", "F33"), eight)), "unsupported dtype \"F33\"");
        assertCorrupt(write("f8", fileBytes(w.replace("F32", "F8_E4M3"), eight)), "unsupported dtype \"F8_E4M3\"");
        assertCorrupt(write("shape", fileBytes(w.replace("[2]", "[3]"), eight)),
                "tensor 'w' has data_offsets [0,8] (8 bytes) but shape [3] of F32 needs 12 bytes");
        assertCorrupt(write("negshape", fileBytes(w.replace("[2]", "[-2]"), eight)), "must hold non-negative integers");
        assertCorrupt(write("floatshape", fileBytes(w.replace("[2]", "[2.0]"), eight)), "must hold non-negative integers");
        assertCorrupt(write("offsets", fileBytes(w.replace("[0,8]", "[8,0]"), eight)), "0 <= begin <= end");
        assertCorrupt(write("missing", fileBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight)), "needs dtype, shape and data_offsets");
        assertCorrupt(write("notobj", fileBytes("{\"w\":[1,2]}", eight)), "entry for tensor 'w' must be a JSON object");
        assertCorrupt(write("meta", fileBytes("{\"__metadata__\":{\"epoch\":3}}", new byte[0])), "__metadata__ value of 'epoch' must be a string");
        assertCorrupt(write("outside", fileBytes(w.replace("[0,8]", "[8,16]"), eight)), "beyond the 8-byte data buffer");
        assertCorrupt(write("overlap", fileBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12])),
                "tensor 'b' data_offsets [4, 12] overlap tensor 'a' [0, 8]");
        assertCorrupt(write("hole", fileBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12])),
                "bytes [4, 8) of the data buffer belong to no tensor (a hole before 'b')");
        assertCorrupt(write("huge-shape", fileBytes(w.replace("[2]", "[65536,65536]"), eight)), "more than 2^31-1 elements");
    }

    @Test
    void i64TooLargeForIntTensorIsAnError() throws IOException {
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
        Path file = write("i64", fileBytes("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", data));
        assertEquals(0x1p40f, Safetensors.read(file).tensors().get("ids").item());
        var e = assertThrows(FileFormatException.class, () -> Safetensors.read(file, true));
        assertTrue(e.getMessage().contains("I64 tensor 'ids' holds 1099511627776"), e.getMessage());
    }

    @Test
    void acceptsAnyPaddingAndAnEmptyFile() throws IOException {
        // Readers must not assume 8-byte padding; a header alone with no tensors is a valid file.
        Path odd = write("odd", fileBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} ",
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(2.5f).array()));
        assertEquals(2.5f, Safetensors.read(odd).tensors().get("w").item());
        Path empty = dir.resolve("empty.safetensors");
        Safetensors.write(empty, Map.of(), Map.of());
        var c = Safetensors.read(empty);
        assertTrue(c.tensors().isEmpty() && c.metadata().isEmpty());
    }

    @Test
    void rejectsBadNamesWhenWriting() {
        var out = new ByteArrayOutputStream();
        var e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(out, Map.of("x", Tensor.zeros(1)), Map.of("x", IntTensor.zeros(1)), Map.of()));
        assertTrue(e.getMessage().contains("duplicate tensor name 'x'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(out, Map.of("__metadata__", Tensor.zeros(1)), Map.of(), Map.of()));
    }
}
