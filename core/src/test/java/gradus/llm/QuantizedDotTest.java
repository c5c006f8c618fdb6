package gradus.llm;

import gradus.io.gguf.GgmlQuantization;
import gradus.io.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizedDotTest {
    /** All 65,536 half-precision bit patterns against the JDK's Float.float16ToFloat (subnormals, ±0, ±∞ and NaN included). */
    @Test
    void halfToFloatMatchesTheJdkOnEveryBitPattern() {
        VectorSpecies<Integer> ints = VectorSpecies.of(int.class, QuantizedDot.F.vectorShape());
        int lanes = ints.length();
        int[] h = new int[lanes];
        float[] out = new float[lanes];
        for (int base = 0; base < 65536; base += lanes) {
            for (int i = 0; i < lanes; i++) h[i] = base + i;
            gradus.kernels.HalfFloats.halfToFloat(IntVector.fromArray(ints, h, 0)).intoArray(out, 0);
            for (int i = 0; i < lanes; i++) {
                float expected = Float.float16ToFloat((short) h[i]);
                if (Float.isNaN(expected)) assertTrue(Float.isNaN(out[i]), "0x" + Integer.toHexString(h[i]));
                else assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(out[i]), "0x" + Integer.toHexString(h[i]));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void vectorKernelsMatchThePlainDecoder(GgmlType type) {
        SplittableRandom random = new SplittableRandom(7);
        int[] sizes = type.blockSize() == 256 ? new int[] {256, 768, 2560} : new int[] {32, 96, 256, 1056};
        for (int n : sizes) {
            float[] w = new float[n], x = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) (random.nextDouble() * 2 - 1);
                x[i] = (float) (random.nextDouble() * 4 - 2);
            }
            byte[] row = GgmlQuantization.encode(type, w);
            byte[] shifted = new byte[row.length + 3]; // rows of a mapped file start at any byte
            System.arraycopy(row, 0, shifted, 3, row.length);
            QuantizedDot.Activations a = QuantizedDot.Activations.of(type, x);
            float expected = QuantizedDot.scalar(type, MemorySegment.ofArray(shifted), 3, a, n);
            float actual = QuantizedDot.dot(type, MemorySegment.ofArray(shifted), 3, a, n);
            assertEquals(expected, actual, 1e-5 * (1 + Math.abs(expected)), type + " n=" + n);
        }
    }

    /** Blocks laid out by hand from ggml-common.h: Q8_0 = {half d; int8 qs[32]}, Q4_0 = {half d; uint8 qs[16]}, low nibbles first. */
    @Test
    void decodersFollowGgmlBlockLayouts() {
        byte[] q8 = new byte[34];
        q8[0] = 0x00;
        q8[1] = 0x38; // 0x3800 = 0.5
        for (int j = 0; j < 32; j++) q8[2 + j] = (byte) (j - 16);
        float[] out = new float[32];
        GgmlQuantization.decode(GgmlType.Q8_0, MemorySegment.ofArray(q8), 0, 32, out, 0);
        for (int j = 0; j < 32; j++) assertEquals(0.5f * (j - 16), out[j]);

        byte[] q4 = new byte[18];
        q4[1] = 0x40; // 0x4000 = 2.0
        for (int j = 0; j < 16; j++) q4[2 + j] = (byte) (j | (15 - j) << 4);
        GgmlQuantization.decode(GgmlType.Q4_0, MemorySegment.ofArray(q4), 0, 32, out, 0);
        for (int j = 0; j < 16; j++) {
            assertEquals(2f * (j - 8), out[j], "low nibble " + j);
            assertEquals(2f * (15 - j - 8), out[16 + j], "high nibble " + j);
        }
    }

    @Test
    void activationsQuantizeLikeLlamaCpp() {
        float[] x = new float[32];
        x[0] = 127;      // amax 127: scale 1, so q = x rounded to nearest even
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 3.5f;
        x[4] = -0.49f;
        QuantizedDot.Activations a = QuantizedDot.Activations.of(GgmlType.Q8_0, x);
        assertEquals(1f, a.scales()[0]);
        assertArrayEquals(new float[] {127, 2, -2, 4, -0f}, java.util.Arrays.copyOf(a.values(), 5));
        float[] zero = QuantizedDot.Activations.of(GgmlType.Q4_0, new float[32]).values();
        assertArrayEquals(new float[32], zero);
    }

    /**
     * Q8_0 rounds to within half a step (amax/127); Q4_0's 16 levels run from −8 to +7 steps of amax/8 with the
     * extreme at −8, so values near −amax on the other side clamp to 7 steps: within one step.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void encodersStayWithinTheirStep(GgmlType type) {
        SplittableRandom random = new SplittableRandom(3);
        float[] w = new float[256];
        for (int i = 0; i < w.length; i++) w[i] = (float) (random.nextDouble() * 6 - 3);
        float[] back = new float[w.length];
        GgmlQuantization.decode(type, MemorySegment.ofArray(GgmlQuantization.encode(type, w)), 0, w.length, back, 0);
        float steps = type == GgmlType.Q8_0 ? 0.5f / 127 : 1f / 8;
        for (int b = 0; b < w.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(w[32 * b + j]));
            for (int j = 0; j < 32; j++) {
                assertEquals(w[32 * b + j], back[32 * b + j], amax * steps * 1.01f + 1e-3f * amax, type + " element " + (32 * b + j));
            }
        }
    }
}
