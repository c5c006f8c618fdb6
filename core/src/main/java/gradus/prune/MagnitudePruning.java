package gradus.prune;

import gradus.nn.Conv2d;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Unstructured magnitude pruning (torch.nn.utils.prune.l1_unstructured / global_unstructured): the weights of
 * every {@link Linear} and {@link Conv2d} with the smallest |w| are zeroed, either the same fraction in each
 * layer ({@link #layerWise}) or one threshold over all of them ({@link #global}), which prunes the big,
 * redundant layers more. Biases are kept.
 */
public final class MagnitudePruning {
    private MagnitudePruning() {}

    /** Zeroes the fraction {@code sparsity} of each layer's weights (smallest magnitude first) and returns the masks. */
    public static Masks layerWise(Module model, double sparsity) {
        checkSparsity(sparsity);
        Map<String, Tensor> weights = prunable(model);
        Map<String, boolean[]> keep = new LinkedHashMap<>();
        for (var e : weights.entrySet()) keep.put(e.getKey(), keepLargest(e.getValue().toArray(), count(e.getValue().numel(), sparsity)));
        Masks m = new Masks(weights, keep);
        m.apply();
        return m;
    }

    /** Zeroes the fraction {@code sparsity} of all prunable weights together (one magnitude threshold) and returns the masks. */
    public static Masks global(Module model, double sparsity) {
        checkSparsity(sparsity);
        Map<String, Tensor> weights = prunable(model);
        int total = weights.values().stream().mapToInt(Tensor::numel).sum();
        float[] all = new float[total];
        int at = 0;
        for (Tensor w : weights.values()) {
            float[] v = w.toArray();
            System.arraycopy(v, 0, all, at, v.length);
            at += v.length;
        }
        boolean[] flat = keepLargest(all, count(total, sparsity));
        Map<String, boolean[]> keep = new LinkedHashMap<>();
        at = 0;
        for (var e : weights.entrySet()) {
            keep.put(e.getKey(), Arrays.copyOfRange(flat, at, at + e.getValue().numel()));
            at += e.getValue().numel();
        }
        Masks m = new Masks(weights, keep);
        m.apply();
        return m;
    }

    /** The weights pruning touches: those of Linear and Conv2d layers, by their state-dict names. */
    static Map<String, Tensor> prunable(Module model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(model, "", out);
        if (out.isEmpty()) throw new IllegalArgumentException("nothing to prune: " + model + " has no Linear or Conv2d layer");
        return out;
    }

    private static void collect(Module m, String prefix, Map<String, Tensor> out) {
        if (m instanceof Linear l) out.put(prefix + "weight", requireContiguous(l.weight(), prefix));
        else if (m instanceof Conv2d c) out.put(prefix + "weight", requireContiguous(c.weight(), prefix));
        for (var child : m.children().entrySet()) collect(child.getValue(), prefix + child.getKey() + ".", out);
    }

    private static Tensor requireContiguous(Tensor w, String name) {
        if (!w.isContiguous()) throw new IllegalStateException("weight " + name + "weight is not contiguous; cannot prune it in place");
        return w;
    }

    static void checkSparsity(double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("sparsity must lie in [0, 1), got " + sparsity);
    }

    private static int count(int n, double sparsity) {
        return (int) Math.round(n * sparsity);
    }

    /** Flags keeping all but the {@code prune} values of least magnitude (ties broken by position, so the count is exact). */
    private static boolean[] keepLargest(float[] v, int prune) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(Math.abs(v[a]), Math.abs(v[b]));
            return c != 0 ? c : Integer.compare(a, b);
        });
        boolean[] keep = new boolean[v.length];
        Arrays.fill(keep, true);
        for (int i = 0; i < prune; i++) keep[order[i]] = false;
        return keep;
    }

    /** Per weight tensor: shape, zero values and sparsity, then the total over them (what `gradus info` shows). */
    public static String sparsityReport(Module model) {
        StringBuilder sb = new StringBuilder("Sparsity (zero weights of Linear and Conv2d layers)\n");
        long total = 0, zeros = 0;
        for (var e : prunable(model).entrySet()) {
            float[] v = e.getValue().toArray();
            long z = 0;
            for (float x : v) if (x == 0f) z++;
            total += v.length;
            zeros += z;
            sb.append(String.format(Locale.ROOT, "  %-24s %-16s %,10d of %,10d zero  %5.1f%%%n", e.getKey(),
                    Arrays.toString(e.getValue().shape()), z, v.length, 100.0 * z / v.length));
        }
        sb.append(String.format(Locale.ROOT, "  %-24s %-16s %,10d of %,10d zero  %5.1f%%%n", "all", "", zeros, total, 100.0 * zeros / total));
        return sb.toString();
    }
}
