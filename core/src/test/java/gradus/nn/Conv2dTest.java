package gradus.nn;

import gradus.kernels.Im2col;
import gradus.kernels.Parallel;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The im2col convolution against a direct seven-loop convolution, across geometries and layouts. */
class Conv2dTest {
    private static Tensor normal(long seed, int... shape) {
        return Tensor.normal(new Rng(seed), 0f, 1f, shape);
    }

    /** The definition, in double precision. */
    private static float[] direct(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] d) {
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), o = w.size(0), kh = w.size(2), kw = w.size(3);
        int oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1, ow = (wd + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1;
        float[] out = new float[n * o * oh * ow];
        int e = 0;
        for (int i = 0; i < n; i++)
            for (int oc = 0; oc < o; oc++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++) {
                        double acc = b == null ? 0 : b.get(oc);
                        for (int ic = 0; ic < c; ic++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int iy = y * s[0] - p[0] + ki * d[0], ix = xx * s[1] - p[1] + kj * d[1];
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) acc += (double) x.get(i, ic, iy, ix) * w.get(oc, ic, ki, kj);
                                }
                        out[e++] = (float) acc;
                    }
        return out;
    }

    @Test
    void matchesTheDefinitionAcrossGeometries() {
        int[][] cases = { // c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw
                {1, 7, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1},
                {3, 6, 9, 2, 1, 1, 1, 1, 0, 0, 1, 1},
                {3, 6, 9, 2, 1, 1, 2, 3, 0, 0, 1, 1},
                {2, 8, 5, 3, 3, 2, 3, 2, 1, 1, 2, 1},
                {2, 5, 5, 3, 5, 5, 1, 1, 2, 2, 1, 1},
                {4, 4, 4, 2, 2, 2, 1, 1, 0, 0, 3, 3},
                {2, 6, 7, 3, 3, 3, 1, 1, 2, 2, 2, 2}, // "same" outputs, dilated: each column row is one span
                {2, 5, 6, 2, 3, 5, 1, 1, 1, 2, 1, 1},
        };
        long seed = 1;
        for (int[] k : cases) {
            Tensor x = normal(seed++, 3, k[0], k[1], k[2]), w = normal(seed++, k[3], k[0], k[4], k[5]), b = normal(seed++, k[3]);
            int[] s = {k[6], k[7]}, p = {k[8], k[9]}, d = {k[10], k[11]};
            assertArrayEquals(direct(x, w, b, s, p, d), F.conv2d(x, w, b, s, p, d).toArray(), 1e-4f, java.util.Arrays.toString(k));
            assertArrayEquals(direct(x, w, null, s, p, d), F.conv2d(x, w, null, s, p, d).toArray(), 1e-4f);
        }
    }

    @Test
    void nonContiguousInputAndGradient() {
        Tensor base = normal(20, 2, 5, 6, 3);
        Tensor x = base.permute(0, 3, 1, 2); // [2, 3, 5, 6], not contiguous
        Tensor w = normal(21, 4, 3, 3, 3);
        int[] one = {1}, pad = {1};
        assertArrayEquals(direct(x, w, null, new int[]{1, 1}, new int[]{1, 1}, new int[]{1, 1}),
                F.conv2d(x, w, null, one, pad, one).toArray(), 1e-4f);
        gradus.GradCheck.check(t -> F.conv2d(t[0].permute(0, 3, 1, 2), t[1], null, one, pad, one).narrow(2, 1, 3), base, w);
    }

    @Test
    void identityKernelPathGradients() {
        gradus.GradCheck.check(t -> F.conv2d(t[0], t[1], t[2], 1, 0), normal(22, 2, 3, 2, 3), normal(23, 4, 3, 1, 1), normal(24, 4));
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Tensor x = normal(30, 6, 3, 8, 8).requiresGrad(true), w = normal(31, 5, 3, 3, 3).requiresGrad(true), b = normal(32, 5).requiresGrad(true);
        Tensor go = normal(33, 6, 5, 8, 8);
        int before = Parallel.threads();
        float[][] results = new float[2][];
        try {
            for (int run = 0; run < 2; run++) {
                Parallel.setThreads(run == 0 ? 1 : 3);
                x.zeroGrad();
                w.zeroGrad();
                b.zeroGrad();
                F.conv2d(x, w, b, 1, 1).backward(go);
                results[run] = Tensor.concat(java.util.List.of(x.grad().flatten(), w.grad().flatten(), b.grad()), 0).toArray();
            }
        } finally {
            Parallel.setThreads(before);
        }
        assertArrayEquals(results[0], results[1]);
    }

    @Test
    void chunksOfImagesSideBySideGiveEachImagesOwnResult() {
        // 14×14 outputs: six images share a column matrix, so 13 images run as chunks of 6, 6 and 1.
        int n = 13;
        Tensor x = normal(50, n, 3, 14, 14).requiresGrad(true), w = normal(51, 4, 3, 3, 3).requiresGrad(true), b = normal(52, 4).requiresGrad(true);
        Tensor go = normal(53, n, 4, 14, 14);
        Tensor y = F.conv2d(x, w, b, 1, 1);
        assertArrayEquals(direct(x, w, b, new int[]{1, 1}, new int[]{1, 1}, new int[]{1, 1}), y.toArray(), 1e-4f);
        y.backward(go);
        float[] gw = new float[w.numel()], gb = new float[b.numel()];
        for (int i = 0; i < n; i++) { // each image alone
            Tensor xi = x.detach().narrow(0, i, 1).contiguous().requiresGrad(true);
            Tensor wi = w.detach().requiresGrad(true), bi = b.detach().requiresGrad(true);
            F.conv2d(xi, wi, bi, 1, 1).backward(go.narrow(0, i, 1).contiguous());
            assertArrayEquals(xi.grad().toArray(), x.grad().narrow(0, i, 1).toArray(), 1e-5f, "input gradient of image " + i);
            float[] gwi = wi.grad().toArray(), gbi = bi.grad().toArray();
            for (int j = 0; j < gw.length; j++) gw[j] += gwi[j];
            for (int j = 0; j < gb.length; j++) gb[j] += gbi[j];
        }
        assertArrayEquals(gw, w.grad().toArray(), 1e-3f);
        assertArrayEquals(gb, b.grad().toArray(), 1e-3f);
    }

    @Test
    void fusedReluGivesTheBitsOfASeparateRelu() {
        // 12 images of 14×14 run in chunks of 6 side by side; a 1×1 kernel reads the images in place, one at a time.
        int[][] cases = {{12, 3, 14, 4, 3, 1}, {5, 2, 6, 3, 1, 0}, {1, 2, 5, 2, 3, 1}};
        for (int[] k : cases) {
            long seed = 70 + k[0];
            Tensor x = normal(seed, k[0], k[1], k[2], k[2]), w = normal(seed + 1, k[3], k[1], k[4], k[4]), b = normal(seed + 2, k[3]);
            Tensor go = normal(seed + 3, k[0], k[3], k[2] + 2 * k[5] - k[4] + 1, k[2] + 2 * k[5] - k[4] + 1);
            int[] s = {1}, p = {k[5]}, d = {1};
            Tensor[] separate = {x.detach().requiresGrad(true), w.detach().requiresGrad(true), b.detach().requiresGrad(true)};
            Tensor[] fused = {x.detach().requiresGrad(true), w.detach().requiresGrad(true), b.detach().requiresGrad(true)};
            Tensor ys = F.conv2d(separate[0], separate[1], separate[2], s, p, d).relu();
            Tensor yf = F.conv2d(fused[0], fused[1], fused[2], s, p, d, true);
            assertArrayEquals(ys.toArray(), yf.toArray(), java.util.Arrays.toString(k));
            float[] out = yf.toArray();
            assertTrue(java.util.stream.IntStream.range(0, out.length).anyMatch(i -> out[i] == 0f), "some outputs are cut off");
            ys.backward(go);
            yf.backward(go);
            for (int i = 0; i < 3; i++) assertArrayEquals(separate[i].grad().toArray(), fused[i].grad().toArray(), "gradient " + i + " of " + java.util.Arrays.toString(k));
        }
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        adjoint(new Im2col.Geometry(2, 6, 7, 3, 2, 2, 1, 1, 1, 2, 2));
        adjoint(new Im2col.Geometry(2, 6, 7, 3, 3, 1, 1, 2, 2, 2, 2)); // "same" outputs: whole spans per column row
        adjoint(new Im2col.Geometry(3, 4, 5, 3, 5, 1, 1, 1, 2, 1, 1));
    }

    private static void adjoint(Im2col.Geometry g) {
        float[] x = normal(40, g.channels(), g.height(), g.width()).toArray(), c = normal(41, g.patch() * g.positions()).toArray();
        float[] col = new float[c.length], back = new float[x.length];
        Im2col.im2col(g, x, 0, col);
        Im2col.col2im(g, c.clone(), back, 0);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < c.length; i++) lhs += (double) col[i] * c[i];
        for (int i = 0; i < x.length; i++) rhs += (double) x[i] * back[i];
        assertEquals(lhs, rhs, 1e-4 * Math.abs(lhs) + 1e-4);
    }
}
