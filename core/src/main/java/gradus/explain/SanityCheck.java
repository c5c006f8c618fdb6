package gradus.explain;

import gradus.nn.Module;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The model-randomization test of Adebayo et al. (2018), cascading: re-initialize the weights layer by layer from
 * the output down and compare each new attribution with the original by Spearman rank correlation. A method
 * that explains the model gives maps that decorrelate as weights are randomized; one that stays near 1 mostly
 * reflects the input (an edge detector). The model's weights are restored afterwards.
 */
public final class SanityCheck {
    private SanityCheck() {}

    /**
     * @param parameter      the parameter randomized last (cumulatively, from the output layer down)
     * @param spearman       rank correlation of the signed attributions with the original's
     * @param spearmanAbs    rank correlation of their magnitudes
     */
    public record Step(String parameter, double spearman, double spearmanAbs) {}

    /** @param attribution the model's current weights → an attribution map for a fixed input and target */
    public static List<Step> modelRandomization(Module model, Function<Module, Tensor> attribution, long seed) {
        Map<String, Tensor> params = model.namedParameters();
        Map<String, float[]> saved = new LinkedHashMap<>();
        params.forEach((k, v) -> saved.put(k, v.toArray()));
        float[] original = attribution.apply(model).toArray();
        List<String> names = new ArrayList<>(params.keySet());
        java.util.Collections.reverse(names);
        Rng rng = new Rng(seed);
        List<Step> steps = new ArrayList<>();
        try {
            for (String name : names) {
                Tensor p = params.get(name);
                p.copyFrom(reinitialized(p, rng));
                float[] now = attribution.apply(model).toArray();
                steps.add(new Step(name, spearman(original, now), spearman(abs(original), abs(now))));
            }
        } finally {
            params.forEach((k, v) -> v.copyFrom(Tensor.of(saved.get(k), v.shape())));
        }
        return steps;
    }

    /** Fresh values of the scale the layer's own initialization uses: U(±1/√fan_in) (zeros stay zero-mean). */
    private static Tensor reinitialized(Tensor p, Rng rng) {
        int[] s = p.shape();
        int fanIn = 1;
        for (int i = 1; i < s.length; i++) fanIn *= s[i];
        float bound = (float) (1 / Math.sqrt(s.length > 1 ? fanIn : Math.max(1, s[0])));
        return Tensor.uniform(rng, -bound, bound, s);
    }

    private static float[] abs(float[] v) {
        float[] a = new float[v.length];
        for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
        return a;
    }

    /** Spearman's ρ: Pearson correlation of the ranks, ties given their mean rank. */
    public static double spearman(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("rank correlation of " + a.length + " and " + b.length + " values");
        return pearson(ranks(a), ranks(b));
    }

    static double[] ranks(float[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Float.compare(v[x], v[y]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) j++;
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[order[k]] = mean;
            i = j + 1;
        }
        return r;
    }

    static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i] / n;
            mb += b[i] / n;
        }
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }
}
