package gradus.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Max and average pooling kernels over 2-d windows of float32 planes, one (image, channel) plane per task, with their gradients. */
public final class Pool2d {
    private static final VectorSpecies<Float> F = VectorMath.SPECIES;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private Pool2d() {}

    /** Output size and plane count of one pooling, checked against PyTorch's rules. */
    public record Window(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow) {
        public static Window of(String op, int[] xs, int[] k, int[] s, int[] p) {
            if (xs.length != 4) throw new IllegalArgumentException(op + " expects input [N, C, H, W], got shape " + Arrays.toString(xs));
            if (2 * p[0] > k[0] || 2 * p[1] > k[1]) {
                throw new IllegalArgumentException(op + " padding " + Arrays.toString(p) + " must be at most half the kernel " + Arrays.toString(k));
            }
            if (xs[2] + 2 * p[0] < k[0] || xs[3] + 2 * p[1] < k[1]) {
                throw new IllegalArgumentException(op + " input of shape " + Arrays.toString(xs) + " is smaller than the kernel " + Arrays.toString(k));
            }
            int oh = (xs[2] + 2 * p[0] - k[0]) / s[0] + 1, ow = (xs[3] + 2 * p[1] - k[1]) / s[1] + 1;
            return new Window(xs[0] * xs[1], xs[2], xs[3], k[0], k[1], s[0], s[1], p[0], p[1], oh, ow);
        }

        public int outPlane() {
            return oh * ow;
        }

        int grain() {
            return Math.max(1, (1 << 14) / Math.max(1, oh * ow * kh * kw));
        }
    }

    /** Max over each window of planes [planes, h, w] at in[xo…]; arg receives each maximum's position in its plane. */
    public static void maxForward(Window w, float[] in, int xo, float[] out, int[] arg) {
        int plane = w.h * w.w, outPlane = w.oh * w.ow;
        boolean pairs = w.kw == 2 && w.sw == 2 && w.ph == 0 && w.pw == 0 && 2 * w.ow >= PAIRS.length();
        int[] corners = !pairs && w.ph == 0 && w.pw == 0 && outPlane >= F.length() ? corners(w) : null;
        Parallel.forRange(w.planes, w.grain(), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                if (pairs) maxPlanePairs(w, in, xo + pl * plane, out, arg, pl * outPlane);
                else if (corners != null) maxPlaneVectorized(w, in, xo + pl * plane, corners, out, arg, pl * outPlane);
                else maxPlane(w, in, xo + pl * plane, out, arg, pl * outPlane);
            }
        });
    }

    /** gi[plane positions] += g at each window's maximum. */
    public static void maxBackward(Window w, float[] gv, int[] arg, float[] gi) {
        int plane = w.h * w.w, outPlane = w.oh * w.ow;
        Parallel.forRange(w.planes, w.grain(), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                for (int o = pl * outPlane, end = o + outPlane; o < end; o++) gi[pl * plane + arg[o]] += gv[o];
            }
        });
    }

    /** Top-left input position of every window of an unpadded plane, in output order. */
    private static int[] corners(Window w) {
        int[] c = new int[w.oh * w.ow];
        for (int oy = 0, o = 0; oy < w.oh; oy++) {
            for (int ox = 0; ox < w.ow; ox++) c[o++] = oy * w.sh * w.w + ox * w.sw;
        }
        return c;
    }

    /**
     * Max and argmax of one plane, one window per lane: each kernel offset is a gather over
     * {@code corners}, compared and blended without branches (random data makes branches
     * mispredict at every other element). Scan order and ties as PyTorch: the first maximum in
     * row-major window order wins, and a NaN beats everything.
     */
    private static void maxPlaneVectorized(Window w, float[] in, int base, int[] corners, float[] out, int[] arg, int o) {
        int lanes = F.length(), n = corners.length;
        for (int q = 0; q < n; q += lanes) {
            int start = Math.min(q, n - lanes); // the last block overlaps the one before: recomputing is harmless
            IntVector corner = IntVector.fromArray(I, corners, start);
            FloatVector best = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            IntVector at = corner;
            for (int ky = 0; ky < w.kh; ky++) {
                for (int kx = 0; kx < w.kw; kx++) {
                    int d = ky * w.w + kx;
                    FloatVector v = FloatVector.fromArray(F, in, base + d, corners, start);
                    VectorMask<Float> take = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
                    best = best.blend(v, take);
                    at = at.blend(corner.add(d), take.cast(I));
                }
            }
            best.intoArray(out, o + start);
            at.intoArray(arg, o + start);
        }
    }

    /**
     * Max and argmax of one plane whose windows are two columns wide and two apart (the common 2×2 pool), at
     * least half of {@link #PAIRS} windows a row: a run of output windows reads 2·lanes consecutive values of each
     * input row, which two shuffles split into the windows' left and right columns, where
     * {@link #maxPlaneVectorized} gathers (about 3× slower). Same order and ties. Rows narrower than a run (7×7
     * outputs) take one run each whose last lanes read the next rows and spill into the next output row, which
     * then overwrites them; the plane's last row, with no next row, reads and writes under masks.
     */
    private static void maxPlanePairs(Window w, float[] in, int base, float[] out, int[] arg, int o) {
        int lanes = PAIRS.length();
        boolean narrow = w.ow < lanes;
        VectorMask<Float> windows = PAIRS.indexInRange(0, w.ow), tail = PAIRS.indexInRange(0, w.w - lanes);
        IntVector twice = IntVector.zero(PAIRS_I).addIndex(2);
        for (int oy = 0; oy < w.oh; oy++) {
            boolean masked = narrow && oy == w.oh - 1;
            for (int q = 0; q < w.ow; q += lanes) {
                int ox = Math.max(0, Math.min(q, w.ow - lanes)); // the last run overlaps the one before: recomputing is harmless
                FloatVector best = FloatVector.broadcast(PAIRS, Float.NEGATIVE_INFINITY);
                IntVector at = twice.add(oy * w.sh * w.w + 2 * ox);
                for (int ky = 0; ky < w.kh; ky++) {
                    int pos = (oy * w.sh + ky) * w.w + 2 * ox;
                    FloatVector a = FloatVector.fromArray(PAIRS, in, base + pos);
                    FloatVector b = masked ? FloatVector.fromArray(PAIRS, in, base + pos + lanes, tail) : FloatVector.fromArray(PAIRS, in, base + pos + lanes);
                    FloatVector l = a.rearrange(LEFT, b), r = a.rearrange(RIGHT, b);
                    IntVector lAt = twice.add(pos);
                    VectorMask<Float> take = l.compare(VectorOperators.GT, best).or(l.test(VectorOperators.IS_NAN));
                    best = best.blend(l, take);
                    at = at.blend(lAt, take.cast(PAIRS_I));
                    take = r.compare(VectorOperators.GT, best).or(r.test(VectorOperators.IS_NAN));
                    best = best.blend(r, take);
                    at = at.blend(lAt.add(1), take.cast(PAIRS_I));
                }
                if (masked) {
                    best.intoArray(out, o + oy * w.ow + ox, windows);
                    at.intoArray(arg, o + oy * w.ow + ox, windows.cast(PAIRS_I));
                } else {
                    best.intoArray(out, o + oy * w.ow + ox);
                    at.intoArray(arg, o + oy * w.ow + ox);
                }
            }
        }
    }

    /** Eight windows at a time (4 with NEON). The species are constants: as parameters they would not compile to vector instructions. */
    private static final VectorSpecies<Float> PAIRS = F.length() >= 8 ? FloatVector.SPECIES_256 : F;
    private static final VectorSpecies<Integer> PAIRS_I = VectorSpecies.of(int.class, PAIRS.vectorShape());
    private static final VectorShuffle<Float> LEFT = VectorShuffle.fromOp(PAIRS, i -> 2 * i), RIGHT = VectorShuffle.fromOp(PAIRS, i -> 2 * i + 1);

    /** The same as {@link #maxPlaneVectorized} one window at a time, with padding. */
    private static void maxPlane(Window w, float[] in, int base, float[] out, int[] arg, int o) {
        for (int oy = 0; oy < w.oh; oy++) {
            int y0 = oy * w.sh - w.ph, ya = Math.max(0, y0), yb = Math.min(w.h, y0 + w.kh);
            for (int ox = 0; ox < w.ow; ox++, o++) {
                int x0 = ox * w.sw - w.pw, xa = Math.max(0, x0), xb = Math.min(w.w, x0 + w.kw);
                float best = Float.NEGATIVE_INFINITY;
                int bestAt = ya * w.w + xa;
                for (int y = ya; y < yb; y++) {
                    for (int xx = xa; xx < xb; xx++) {
                        float v = in[base + y * w.w + xx];
                        if (v > best || v != v) {
                            best = v;
                            bestAt = y * w.w + xx;
                        }
                    }
                }
                out[o] = best;
                arg[o] = bestAt;
            }
        }
    }

    /** Mean over each window (padding counts as zeros, PyTorch's count_include_pad). */
    public static void avgForward(Window w, float[] in, int xo, float[] out) {
        int plane = w.h * w.w, outPlane = w.oh * w.ow;
        float scale = 1f / (w.kh * w.kw);
        Parallel.forRange(w.planes, w.grain(), (p0, p1) -> {
            float[] rows = new float[w.w];
            for (int pl = p0; pl < p1; pl++) {
                int base = xo + pl * plane, o = pl * outPlane;
                for (int oy = 0; oy < w.oh; oy++) {
                    int y0 = oy * w.sh - w.ph, ya = Math.max(0, y0), yb = Math.min(w.h, y0 + w.kh);
                    System.arraycopy(in, base + ya * w.w, rows, 0, w.w);
                    for (int y = ya + 1; y < yb; y++) VectorMath.add(rows, 0, in, base + y * w.w, rows, 0, w.w);
                    for (int ox = 0; ox < w.ow; ox++, o++) {
                        int x0 = ox * w.sw - w.pw, xa = Math.max(0, x0), xb = Math.min(w.w, x0 + w.kw);
                        float s = 0f;
                        for (int xx = xa; xx < xb; xx++) s += rows[xx];
                        out[o] = s * scale;
                    }
                }
            }
        });
    }

    /** Spreads each window's gradient evenly over its inputs. */
    public static void avgBackward(Window w, float[] gv, float[] gi) {
        int plane = w.h * w.w, outPlane = w.oh * w.ow;
        float scale = 1f / (w.kh * w.kw);
        Parallel.forRange(w.planes, w.grain(), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int base = pl * plane, o = pl * outPlane;
                for (int oy = 0; oy < w.oh; oy++) {
                    int y0 = oy * w.sh - w.ph, ya = Math.max(0, y0), yb = Math.min(w.h, y0 + w.kh);
                    for (int ox = 0; ox < w.ow; ox++, o++) {
                        int x0 = ox * w.sw - w.pw, xa = Math.max(0, x0), xb = Math.min(w.w, x0 + w.kw);
                        float share = gv[o] * scale;
                        for (int y = ya; y < yb; y++) {
                            for (int xx = xa; xx < xb; xx++) gi[base + y * w.w + xx] += share;
                        }
                    }
                }
            }
        });
    }
}
