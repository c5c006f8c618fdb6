package gradus.nn;

import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** Max pooling against a direct scan with PyTorch's rules: first maximum in row-major window order, NaN wins. */
class PoolingTest {
    /** Output followed by the input gradient for an all-ones output gradient. */
    private static float[][] reference(Tensor x, int k, int s, int p) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        float[] out = new float[n * c * oh * ow], grad = new float[x.numel()];
        int o = 0;
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++, o++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int at = -1;
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++) {
                                int iy = y * s - p + ky, ix = xx * s - p + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                float v = x.get(i, ch, iy, ix);
                                if (v > best || Float.isNaN(v)) {
                                    best = v;
                                    at = ((i * c + ch) * h + iy) * w + ix;
                                }
                            }
                        out[o] = best;
                        grad[at] += 1f;
                    }
        return new float[][]{out, grad};
    }

    /** Few distinct values, so windows are full of ties. */
    private static Tensor ties(long seed, int... shape) {
        Tensor t = Tensor.uniform(new Rng(seed), 0f, 3f, shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) Math.floor(d[i]);
        return t;
    }

    @Test
    void tiesGoToTheFirstMaximumOnEveryPath() {
        int[][] cases = {{2, 2, 0}, {3, 1, 0}, {3, 2, 1}, {2, 1, 1}, {4, 3, 0}};
        for (int[] kc : cases) {
            for (int size : new int[]{5, 9, 14, 20, 33}) { // 2x2 windows of 9 columns and more take 4 or 8 at a time
                Tensor x = ties(size * 31L + kc[0], 2, 3, size, size + 1).requiresGrad(true);
                float[][] ref = reference(x, kc[0], kc[1], kc[2]);
                Tensor y = F.maxPool2d(x, new int[]{kc[0]}, new int[]{kc[1]}, new int[]{kc[2]});
                String what = Arrays.toString(kc) + " size " + size;
                assertArrayEquals(ref[0], y.toArray(), what);
                y.sum().backward();
                assertArrayEquals(ref[1], x.grad().toArray(), what);
            }
        }
    }

    @Test
    void nanPropagates() {
        Tensor x = Tensor.zeros(1, 1, 4, 8);
        x.set(Float.NaN, 0, 0, 1, 3);
        Tensor y = new MaxPool2d(2).forward(x);
        assertTrue(Float.isNaN(y.get(0, 0, 0, 1)));
        assertEquals(0f, y.get(0, 0, 0, 0));
        assertEquals(0f, y.get(0, 0, 1, 1));
        Tensor wide = Tensor.zeros(1, 1, 2, 40); // 20 windows in a row: runs of 8, the last one overlapping
        wide.set(Float.NaN, 0, 0, 1, 31);
        wide.set(5f, 0, 0, 0, 30);
        wide.set(-1f, 0, 0, 0, 4);
        float[] pooled = new MaxPool2d(2).forward(wide).toArray();
        for (int i = 0; i < pooled.length; i++) {
            if (i == 15) assertTrue(Float.isNaN(pooled[i]), "NaN beats 5 in window " + i);
            else assertEquals(0f, pooled[i], "window " + i);
        }
    }
}
