package gradus.optim;

import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ClipGradTest {
    private static List<Tensor> problemWithGrads() {
        Tensor w = Tensor.of(OptimGolden.W0).requiresGrad(true), b = Tensor.of(OptimGolden.B0.clone()).requiresGrad(true);
        Tensor.of(OptimGolden.X).matmul(w).add(b).sub(Tensor.of(OptimGolden.Y)).pow(2f).sum().backward();
        return List.of(w, b);
    }

    private static float[] grads(List<Tensor> params) {
        float[] out = new float[9];
        System.arraycopy(params.get(0).grad().toArray(), 0, out, 0, 6);
        System.arraycopy(params.get(1).grad().toArray(), 0, out, 6, 3);
        return out;
    }

    @Test
    void clipsLikePyTorch() {
        List<Tensor> params = problemWithGrads();
        assertEquals(OptimGolden.CLIP_1_TOTAL, ClipGrad.clipGradNorm(params, 1.0), 1e-5);
        assertArrayEquals(OptimGolden.CLIP_1_GRADS, grads(params), 1e-6f);
    }

    @Test
    void leavesSmallGradientsAlone() {
        List<Tensor> params = problemWithGrads();
        assertEquals(OptimGolden.CLIP_1000_TOTAL, ClipGrad.clipGradNorm(params, 1000.0), 1e-5);
        assertArrayEquals(OptimGolden.CLIP_1000_GRADS, grads(params), 1e-6f);
    }

    @Test
    void ignoresMissingGradientsAndScalesSharedOnesOnce() {
        Tensor a = Tensor.zeros(2).requiresGrad(true), b = Tensor.zeros(2).requiresGrad(true), none = Tensor.zeros(3).requiresGrad(true);
        Tensor shared = Tensor.of(new float[]{3, 4});
        a.setGrad(shared);
        b.setGrad(shared);
        double total = ClipGrad.clipGradNorm(List.of(a, none, b), 1.0);
        assertEquals(Math.sqrt(50), total, 1e-6);
        float coef = (float) (1.0 / (Math.sqrt(50) + 1e-6));
        assertArrayEquals(new float[]{3 * coef, 4 * coef}, a.grad().toArray(), 1e-7f);
        assertNull(none.grad());
        assertEquals(0.0, ClipGrad.clipGradNorm(List.of(none), 1.0));
        assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradNorm(List.of(a), -1));
    }
}
