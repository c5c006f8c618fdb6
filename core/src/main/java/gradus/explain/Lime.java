package gradus.explain;

import gradus.autograd.GradMode;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * LIME (Ribeiro et al. 2016): perturb the input in an interpretable binary representation z ∈ {0,1}^M (1 = as in
 * the input), score the perturbed inputs, and fit a ridge regression weighted by the proximity kernel
 * sqrt(exp(−d(z, 1)² / width²)); its coefficients are the explanation, its weighted R² (the fidelity) says how
 * well the linear surrogate matches the model near the input. The first sample is the input itself. Seeded.
 * <ul>
 *   <li>{@link #tabular}: z_j = 1 when feature j falls in the input's quartile bin (bins from training data);
 *       perturbed values come from training rows, so they stay realistic; Euclidean distance.</li>
 *   <li>{@link #text}: z_j = 1 keeps word j; cosine distance.</li>
 *   <li>{@link #image}: z_j = 1 keeps grid cell j, else the cell takes a baseline value; cosine distance.</li>
 * </ul>
 */
public final class Lime {
    private Lime() {}

    /**
     * @param weights    per feature, the surrogate's coefficient (the output change when the feature is "as in the input")
     * @param intercept  the surrogate's value with every feature perturbed
     * @param fidelity   weighted R² of the surrogate on the samples
     * @param prediction the model's output for the input itself
     */
    public record Explanation(double[] weights, double intercept, double fidelity, double prediction) {}

    /** Default kernel widths: LIME's 0.75·√M for tabular data, 0.25 on cosine distance for text and images. */
    public static double tabularWidth(int features) {
        return 0.75 * Math.sqrt(features);
    }

    /**
     * @param x        one example [M]
     * @param training rows [N, M] that define the quartile bins and supply perturbed values
     */
    public static Explanation tabular(UnaryOperator<Tensor> model, Tensor x, Tensor training, int target, int samples, long seed) {
        float[] xv = x.toArray();
        int m = xv.length;
        if (training.dim() != 2 || training.size(1) != m) {
            throw new IllegalArgumentException("LIME training data of shape " + Shape.str(training.shape())
                    + " does not fit an input with " + m + " features");
        }
        int n = training.size(0);
        float[] data = training.toArray();
        double[][] edges = new double[m][];
        for (int j = 0; j < m; j++) edges[j] = quartiles(data, n, m, j);
        int[] xBin = new int[m];
        for (int j = 0; j < m; j++) xBin[j] = bin(edges[j], xv[j]);
        Rng rng = new Rng(seed);
        float[] rows = new float[samples * m];
        double[][] z = new double[samples][m];
        for (int k = 0; k < samples; k++) {
            for (int j = 0; j < m; j++) {
                float v = k == 0 ? xv[j] : data[rng.nextInt(n) * m + j];
                rows[k * m + j] = v;
                z[k][j] = bin(edges[j], v) == xBin[j] ? 1 : 0;
            }
        }
        double[] f = score(model, Tensor.of(rows, samples, m), samples, target);
        double[] w = new double[samples];
        double width = tabularWidth(m);
        for (int k = 0; k < samples; k++) {
            double d2 = 0;
            for (int j = 0; j < m; j++) d2 += (1 - z[k][j]) * (1 - z[k][j]);
            w[k] = kernel(Math.sqrt(d2), width);
        }
        return surrogate(z, f, w);
    }

    /**
     * @param words   the text's words; a sample keeps some of them, joined by spaces
     * @param encoder words joined by spaces → model input [1, ...]
     */
    public static Explanation text(UnaryOperator<Tensor> model, List<String> words, Function<String, Tensor> encoder,
                                   int target, int samples, long seed) {
        int m = words.size();
        if (m == 0) throw new IllegalArgumentException("LIME needs a text with at least one word");
        Rng rng = new Rng(seed);
        double[][] z = new double[samples][m];
        List<Tensor> inputs = new ArrayList<>();
        for (int k = 0; k < samples; k++) {
            Arrays.fill(z[k], 1);
            if (k > 0) { // remove between 1 and M − 1 words (LIME's LimeTextExplainer), at least one when M = 1
                int remove = m == 1 ? 1 : 1 + rng.nextInt(m - 1);
                int[] order = rng.permutation(m);
                for (int r = 0; r < remove; r++) z[k][order[r]] = 0;
            }
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < m; j++) if (z[k][j] == 1) sb.append(sb.isEmpty() ? "" : " ").append(words.get(j));
            inputs.add(encoder.apply(sb.toString()));
        }
        double[] f = new double[samples];
        try (var g = GradMode.noGrad()) {
            for (int k = 0; k < samples; k++) f[k] = Outputs.column(model.apply(inputs.get(k)), 1, target).item();
        }
        return surrogate(z, f, cosineWeights(z, 0.25));
    }

    /**
     * @param image    one example [1, C, H, W]
     * @param cell     grid cell size in pixels; cells are the features, row-major
     * @param baseline value of a removed cell
     */
    public static Explanation image(UnaryOperator<Tensor> model, Tensor image, int cell, float baseline, int target,
                                    int samples, long seed) {
        int[] groups = gridCells(image, cell);
        int m = 0;
        for (int gIx : groups) m = Math.max(m, gIx + 1);
        Rng rng = new Rng(seed);
        float[] x = image.toArray();
        float[] rows = new float[samples * x.length];
        double[][] z = new double[samples][m];
        for (int k = 0; k < samples; k++) {
            for (int j = 0; j < m; j++) z[k][j] = k == 0 || rng.nextFloat() < 0.5f ? 1 : 0;
            for (int e = 0; e < x.length; e++) rows[k * x.length + e] = z[k][groups[e]] == 1 ? x[e] : baseline;
        }
        int[] shape = image.shape();
        shape[0] = samples;
        double[] f = score(model, Tensor.of(rows, shape), samples, target);
        return surrogate(z, f, cosineWeights(z, 0.25));
    }

    /** The grid cell of every element of an image [1, C, H, W]: cells of cell × cell pixels, row-major, shared by channels. */
    public static int[] gridCells(Tensor image, int cell) {
        if (image.dim() != 4 || image.size(0) != 1) {
            throw new IllegalArgumentException("expected one image [1, channels, height, width], got " + Shape.str(image.shape()));
        }
        if (cell < 1) throw new IllegalArgumentException("grid cell size must be positive, got " + cell);
        int c = image.size(1), h = image.size(2), w = image.size(3);
        int across = (w + cell - 1) / cell;
        int[] groups = new int[c * h * w];
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int xx = 0; xx < w; xx++) groups[(ch * h + y) * w + xx] = (y / cell) * across + xx / cell;
        return groups;
    }

    private static double[] score(UnaryOperator<Tensor> model, Tensor batch, int n, int target) {
        double[] f = new double[n];
        try (var g = GradMode.noGrad()) {
            for (int start = 0; start < n; start += 256) {
                int k = Math.min(256, n - start);
                float[] out = Outputs.column(model.apply(batch.narrow(0, start, k)), k, target).toArray();
                for (int i = 0; i < k; i++) f[start + i] = out[i];
            }
        }
        return f;
    }

    private static double[] cosineWeights(double[][] z, double width) {
        double[] w = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            double on = 0;
            for (double v : z[k]) on += v;
            double cosine = on == 0 ? 0 : on / (Math.sqrt(on) * Math.sqrt(z[k].length)); // z·1 / (|z| |1|)
            w[k] = kernel(1 - cosine, width);
        }
        return w;
    }

    private static double kernel(double distance, double width) {
        return Math.sqrt(Math.exp(-distance * distance / (width * width)));
    }

    private static Explanation surrogate(double[][] z, double[] f, double[] w) {
        var fit = WeightedLeastSquares.fit(z, f, w, 1.0, true); // LIME's Ridge(alpha=1)
        return new Explanation(fit.coefficients(), fit.intercept(), fit.r2(), f[0]);
    }

    /** The 25th, 50th and 75th percentiles of column j (linear interpolation, as NumPy). */
    private static double[] quartiles(float[] data, int n, int m, int j) {
        double[] col = new double[n];
        for (int i = 0; i < n; i++) col[i] = data[i * m + j];
        Arrays.sort(col);
        double[] q = new double[3];
        for (int k = 0; k < 3; k++) {
            double pos = (k + 1) * 0.25 * (n - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(n - 1, lo + 1);
            q[k] = col[lo] + (pos - lo) * (col[hi] - col[lo]);
        }
        return q;
    }

    private static int bin(double[] edges, double v) {
        int b = 0;
        while (b < edges.length && v > edges[b]) b++;
        return b;
    }
}
