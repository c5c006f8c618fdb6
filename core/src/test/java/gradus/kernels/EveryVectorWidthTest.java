package gradus.kernels;

import gradus.ChildJvm;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kernel tests again at every vector width narrower than this CPU's (the CPU's own is this JVM's run), each in
 * a JVM started with {@code -Dgradus.vectorBits}: so an AVX-512 machine also checks the AVX2 and NEON-width code.
 */
class EveryVectorWidthTest {
    /** Tests of the GEMM and of the elementwise kernels, each against a plain reference. */
    private static final List<String> CLASSES = List.of(GemmTest.class.getName(), ElementwiseKernelsTest.class.getName(),
            VectorMathTest.class.getName(), PackedWeightTest.class.getName(), QuantizedKernelsTest.class.getName(), "gradus.nn.PoolingTest",
            "gradus.nn.AttentionTest", "gradus.optim.OptimizerTest");

    @Test
    void kernelTestsPassAtEveryNarrowerWidth() throws Exception {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        assertEquals(preferred, VectorWidth.bits(), "this JVM runs the CPU's own width unless told otherwise");
        for (int bits = 128; bits < preferred; bits *= 2) {
            String out = runAt(bits);
            assertTrue(out.contains("width " + bits + "\n"), out);
            assertTrue(out.contains("passed ") && out.contains(" failed 0"), out);
        }
    }

    @Test
    void widthSettingIsCheckedAndNeverWiderThanTheCpu() {
        assertEquals(128, VectorWidth.choose("128", 512).vectorBitSize());
        assertEquals(256, VectorWidth.choose(" 256 ", 256).vectorBitSize());
        assertEquals(FloatVector.SPECIES_PREFERRED, VectorWidth.choose(null, 512));
        assertEquals("-Dgradus.vectorBits=512 is wider than this CPU's 256-bit vectors",
                assertThrows(IllegalArgumentException.class, () -> VectorWidth.choose("512", 256)).getMessage());
        assertEquals("-Dgradus.vectorBits=64: expected 128, 256 or 512",
                assertThrows(IllegalArgumentException.class, () -> VectorWidth.choose("64", 512)).getMessage());
    }

    private static String runAt(int bits) throws Exception {
        return ChildJvm.run(TestsAtWidth.class, List.of("-Dgradus.vectorBits=" + bits), CLASSES.toArray(String[]::new));
    }
}
