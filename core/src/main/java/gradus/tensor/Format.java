package gradus.tensor;

import java.util.Locale;

/** Prints tensors the way PyTorch does: {@code tensor([[1.0000, 2.0000], ...])}, summarized past 1000 values. */
final class Format {
    private static final int THRESHOLD = 1000, EDGE = 3;

    private Format() {}

    static String floats(float[] v, int[] shape) {
        boolean ints = true, sci = false;
        float maxAbs = 0f, minAbs = Float.MAX_VALUE;
        for (float x : v) {
            if (!Float.isFinite(x)) continue;
            if (x != Math.rint(x)) ints = false;
            float a = Math.abs(x);
            maxAbs = Math.max(maxAbs, a);
            if (a > 0) minAbs = Math.min(minAbs, a);
        }
        if (maxAbs >= 1e8f || (minAbs < Float.MAX_VALUE && (maxAbs / minAbs > 1000f || minAbs < 1e-4f)) && !ints) sci = true;
        boolean fSci = sci, fInts = ints;
        String[] cells = new String[v.length];
        int width = 0;
        for (int i = 0; i < v.length; i++) {
            float x = v[i];
            String s;
            if (Float.isNaN(x)) s = "nan";
            else if (Float.isInfinite(x)) s = x > 0 ? "inf" : "-inf";
            else if (fSci) s = String.format(Locale.ROOT, "%.4e", x).replace("e+0", "e+0");
            else if (fInts) s = String.format(Locale.ROOT, "%.0f.", x);
            else s = String.format(Locale.ROOT, "%.4f", x);
            cells[i] = s;
            width = Math.max(width, s.length());
        }
        return render("tensor(", cells, shape, width) + ")";
    }

    static String ints(int[] v, int[] shape) {
        String[] cells = new String[v.length];
        int width = 0;
        for (int i = 0; i < v.length; i++) {
            cells[i] = Integer.toString(v[i]);
            width = Math.max(width, cells[i].length());
        }
        return render("tensor(", cells, shape, width) + ", dtype=int32)";
    }

    private static String render(String prefix, String[] cells, int[] shape, int width) {
        StringBuilder sb = new StringBuilder(prefix);
        if (shape.length == 0) return sb.append(cells[0]).toString();
        boolean summarize = cells.length > THRESHOLD;
        block(sb, cells, shape, 0, 0, width, prefix.length() + 1, summarize);
        return sb.toString();
    }

    private static void block(StringBuilder sb, String[] cells, int[] shape, int dim, int base, int width, int indent, boolean summarize) {
        int n = shape[dim];
        int stride = 1;
        for (int i = dim + 1; i < shape.length; i++) stride *= shape[i];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim));
                i = n - EDGE;
            }
            if (dim == shape.length - 1) {
                String c = cells[base + i];
                sb.append(" ".repeat(width - c.length())).append(c);
            } else {
                block(sb, cells, shape, dim + 1, base + i * stride, width, indent, summarize);
            }
            if (i < n - 1) {
                sb.append(',');
                if (dim == shape.length - 1) sb.append(' ');
                else sb.append("\n".repeat(shape.length - 1 - dim)).append(" ".repeat(indent + dim));
            }
        }
        sb.append(']');
    }
}
