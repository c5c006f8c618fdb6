package gradus.llm;

import gradus.io.gguf.GgmlQuantization;
import gradus.io.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Q4_K and Q6_K against ggml itself: llama.cpp's libggml-base.so (shipped by node-llama-cpp 3.21.1) is called
 * through the FFM API for its reference quantizers ({@code quantize_row_q4_K_ref}, {@code quantize_row_q6_K_ref},
 * {@code quantize_row_q8_K_ref}) and dequantizers. Gradus must decode ggml's blocks to the same floats bit for
 * bit, ggml must decode Gradus's blocks to the floats Gradus reads back, and Gradus's Q8_K activations must be
 * ggml's.
 */
class KQuantsVsGgmlTest {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final int N = 256 * 6;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void gradusDecodesGgmlBlocksExactly(GgmlType type) throws Throwable {
        float[] w = random(11);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment blocks = arena.allocate(type.bytesFor(N));
            call(quantizer(type), arena.allocateFrom(ValueLayout.JAVA_FLOAT, w), blocks, N);
            float[] ours = new float[N];
            GgmlQuantization.decode(type, blocks, 0, N, ours, 0);
            assertBitwiseEqual(ggmlDecode(type, blocks, arena), ours, type + " blocks from ggml");
        }
    }

    /** Gradus's own encoder writes blocks that ggml reads as Gradus does, and that stay near the input. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void ggmlDecodesGradusBlocksExactly(GgmlType type) throws Throwable {
        float[] w = random(12);
        byte[] encoded = GgmlQuantization.encode(type, w);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment blocks = arena.allocate(encoded.length);
            blocks.copyFrom(MemorySegment.ofArray(encoded));
            float[] ours = new float[N];
            GgmlQuantization.decode(type, MemorySegment.ofArray(encoded), 0, N, ours, 0);
            assertBitwiseEqual(ggmlDecode(type, blocks, arena), ours, type + " blocks from Gradus");
            // 16 (Q4_K) or 63 (Q6_K) levels over each sub-block's range, plus the 6- or 8-bit rounding of its scale
            double worst = 0;
            for (int i = 0; i < N; i++) worst = Math.max(worst, Math.abs(ours[i] - w[i]));
            double bound = type == GgmlType.Q4_K ? 0.25 : 0.06; // inputs span [-3, 3]
            System.out.printf("%s encoder: max |Δ| %.4f on inputs in [-3, 3]%n", type, worst);
            assertTrue(worst < bound, type + " round trip error " + worst + " ≥ " + bound);
        }
    }

    /** block_q8_K = {float d; int8 qs[256]; int16 bsums[16]}: Gradus's activations hold ggml's qs and d. */
    @Test
    void activationsAreGgmlsQ8K() throws Throwable {
        float[] x = random(13);
        x[5] = 4f; // a positive extreme: ggml maps the signed maximum to −127
        QuantizedDot.Activations ours = QuantizedDot.Activations.of(GgmlType.Q4_K, x);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment blocks = arena.allocate(292L * N / 256);
            call(function("quantize_row_q8_K_ref"), arena.allocateFrom(ValueLayout.JAVA_FLOAT, x), blocks, N);
            for (int b = 0; b < N / 256; b++) {
                long at = 292L * b;
                assertEquals(blocks.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at), ours.scales()[b], "d of block " + b);
                for (int j = 0; j < 256; j++) {
                    assertEquals(blocks.get(ValueLayout.JAVA_BYTE, at + 4 + j), (byte) ours.values()[256 * b + j], "q " + (256 * b + j));
                }
                for (int s = 0; s < 16; s++) {
                    float sum16 = blocks.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 260 + 2L * s);
                    float ourSum = 0;
                    for (int j = 0; j < 16; j++) ourSum += ours.values()[256 * b + 16 * s + j];
                    assertEquals(sum16, ourSum + 0f, "bsum " + s);
                }
            }
        }
    }

    private static float[] ggmlDecode(GgmlType type, MemorySegment blocks, Arena arena) throws Throwable {
        MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, N);
        call(function(type == GgmlType.Q4_K ? "dequantize_row_q4_K" : "dequantize_row_q6_K"), blocks, out, N);
        return out.toArray(ValueLayout.JAVA_FLOAT);
    }

    private static MethodHandle quantizer(GgmlType type) {
        return function(type == GgmlType.Q4_K ? "quantize_row_q4_K_ref" : "quantize_row_q6_K_ref");
    }

    private static void call(MethodHandle f, MemorySegment in, MemorySegment out, long n) throws Throwable {
        f.invokeExact(in, out, n);
    }

    /** {@code void name(const void * in, void * out, int64_t k)} from libggml-base.so. */
    private static MethodHandle function(String name) {
        LlamaCpp.assumeInstalled();
        Path lib = LlamaCpp.DIR.resolve("node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so");
        if (!Files.isRegularFile(lib)) throw new AssertionError("ggml's library is missing: " + lib);
        MemorySegment symbol = SymbolLookup.libraryLookup(lib, Arena.global()).find(name)
                .orElseThrow(() -> new AssertionError(name + " is not exported by " + lib));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    }

    private static float[] random(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[N];
        for (int i = 0; i < N; i++) v[i] = (float) (random.nextDouble() * 6 - 3);
        return v;
    }

    private static void assertBitwiseEqual(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    what + ": element " + i + " is " + actual[i] + ", ggml says " + expected[i]);
        }
    }
}
