package gradus.data;

import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Seeded image augmentations over batches of x [N, C, H, W], applied by {@link DataLoader#augment} on the loader's
 * (prefetch) thread. Each draws from the {@link Rng} it is handed, which the loader derives from its seed, the
 * epoch and the batch number: the same seed gives the same augmented batches whatever the thread timing.
 */
public final class Augment {
    private Augment() {}

    /** One batch transform. */
    @FunctionalInterface
    public interface Transform {
        Batch apply(Batch batch, Rng rng);
    }

    /** The transforms in order, all drawing from one stream. */
    public static Transform compose(Transform... steps) {
        List<Transform> list = List.of(steps);
        return (b, rng) -> {
            for (Transform t : list) b = t.apply(b, rng);
            return b;
        };
    }

    /** Pads each image by {@code padding} zeros on every side and crops a random H×W window (the CIFAR recipe). */
    public static Transform randomCrop(int padding) {
        if (padding < 0) throw new IllegalArgumentException("randomCrop padding must be 0 or more, got " + padding);
        return perImage((src, dst, c, h, w, rng) -> {
            int dy = rng.nextInt(2 * padding + 1) - padding, dx = rng.nextInt(2 * padding + 1) - padding;
            shift(src, dst, c, h, w, dy, dx);
        });
    }

    /** Mirrors each image left–right with probability p. */
    public static Transform horizontalFlip(double p) {
        checkProbability("horizontalFlip", p);
        return perImage((src, dst, c, h, w, rng) -> {
            boolean flip = rng.nextDouble() < p;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    int row = (ch * h + y) * w;
                    for (int x = 0; x < w; x++) dst[row + x] = src[row + (flip ? w - 1 - x : x)];
                }
            }
        });
    }

    /**
     * Rotates each image by an angle uniform in ±maxDegrees and translates it by up to ±maxShift of its size, about
     * its centre, with bilinear sampling and zeros outside (torchvision's RandomAffine(degrees, translate)).
     */
    public static Transform randomAffine(double maxDegrees, double maxShift) {
        if (maxDegrees < 0 || maxShift < 0 || maxShift > 1) {
            throw new IllegalArgumentException("randomAffine needs maxDegrees ≥ 0 and maxShift in [0, 1], got " + maxDegrees + ", " + maxShift);
        }
        return perImage((src, dst, c, h, w, rng) -> {
            double a = Math.toRadians((rng.nextDouble() * 2 - 1) * maxDegrees);
            double ty = (rng.nextDouble() * 2 - 1) * maxShift * h, tx = (rng.nextDouble() * 2 - 1) * maxShift * w;
            affine(src, dst, c, h, w, a, ty, tx);
        });
    }

    /**
     * With probability p, fills a random rectangle covering a fraction in [minArea, maxArea] of the image (aspect
     * ratio in [0.3, 3.3]) with {@code value} (Zhong et al.'s random erasing, torchvision's RandomErasing).
     */
    public static Transform randomErasing(double p, double minArea, double maxArea, float value) {
        checkProbability("randomErasing", p);
        if (!(0 < minArea && minArea <= maxArea && maxArea <= 1)) {
            throw new IllegalArgumentException("randomErasing needs 0 < minArea ≤ maxArea ≤ 1, got " + minArea + ", " + maxArea);
        }
        return perImage((src, dst, c, h, w, rng) -> {
            System.arraycopy(src, 0, dst, 0, dst.length);
            if (rng.nextDouble() >= p) return;
            for (int attempt = 0; attempt < 10; attempt++) {
                double area = h * w * (minArea + rng.nextDouble() * (maxArea - minArea));
                double ratio = Math.exp(Math.log(0.3) + rng.nextDouble() * (Math.log(3.3) - Math.log(0.3)));
                int eh = (int) Math.round(Math.sqrt(area * ratio)), ew = (int) Math.round(Math.sqrt(area / ratio));
                if (eh < 1 || ew < 1 || eh > h || ew > w) continue;
                int y0 = rng.nextInt(h - eh + 1), x0 = rng.nextInt(w - ew + 1);
                for (int ch = 0; ch < c; ch++) {
                    for (int y = y0; y < y0 + eh; y++) Arrays.fill(dst, (ch * h + y) * w + x0, (ch * h + y) * w + x0 + ew, value);
                }
                return;
            }
        });
    }

    /** (x − mean[c]) / std[c] per channel (one value each for all channels, or one per channel). */
    public static Transform normalize(float[] mean, float[] std) {
        for (float s : std) if (!(s > 0)) throw new IllegalArgumentException("normalize std must be positive, got " + Arrays.toString(std));
        if (mean.length != std.length) throw new IllegalArgumentException("normalize mean and std need the same length, got " + mean.length + " and " + std.length);
        return perImage((src, dst, c, h, w, rng) -> {
            if (mean.length != 1 && mean.length != c) {
                throw new IllegalArgumentException("normalize has " + mean.length + " channel means for images with " + c + " channels");
            }
            for (int ch = 0; ch < c; ch++) {
                float m = mean[mean.length == 1 ? 0 : ch], s = std[std.length == 1 ? 0 : ch];
                for (int i = ch * h * w; i < (ch + 1) * h * w; i++) dst[i] = (src[i] - m) / s;
            }
        });
    }

    /**
     * Mixup (Zhang et al.): x ← λ·x + (1−λ)·x[perm], targets ← λ·onehot(y) + (1−λ)·onehot(y[perm]) with
     * λ ~ Beta(α, α) per batch and a random pairing; the batch then carries soft targets [N, classes] for
     * {@link gradus.nn.Losses#softCrossEntropy}.
     */
    public static Transform mixup(double alpha, int classes) {
        return (b, rng) -> {
            checkBatch("mixup", b);
            float lambda = (float) beta(rng, alpha);
            int[] perm = rng.permutation(b.size());
            Tensor x = b.x(), mixed = x.mul(lambda).add(x.indexSelect(0, IntTensor.of(perm, perm.length)).mul(1 - lambda));
            return new Batch(mixed, null, mixTargets(b, perm, lambda, classes));
        };
    }

    /**
     * CutMix (Yun et al.): a random box of area fraction 1−λ (λ ~ Beta(α, α)) is pasted from the paired image; the
     * targets mix by the box's exact area.
     */
    public static Transform cutmix(double alpha, int classes) {
        return (b, rng) -> {
            checkBatch("cutmix", b);
            int[] s = b.x().shape();
            int n = s[0], c = s[1], h = s[2], w = s[3];
            double lambda = beta(rng, alpha);
            int bh = (int) Math.round(h * Math.sqrt(1 - lambda)), bw = (int) Math.round(w * Math.sqrt(1 - lambda));
            int cy = rng.nextInt(h), cx = rng.nextInt(w);
            int y0 = Math.max(0, cy - bh / 2), y1 = Math.min(h, cy + (bh + 1) / 2), x0 = Math.max(0, cx - bw / 2), x1 = Math.min(w, cx + (bw + 1) / 2);
            int[] perm = rng.permutation(n);
            float[] src = b.x().toArray(), out = src.clone();
            int image = c * h * w;
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int y = y0; y < y1; y++) {
                        int row = ch * h * w + y * w;
                        System.arraycopy(src, perm[i] * image + row + x0, out, i * image + row + x0, x1 - x0);
                    }
                }
            }
            float kept = 1f - (float) ((y1 - y0) * (x1 - x0)) / (h * w);
            return new Batch(Tensor.of(out, s), null, mixTargets(b, perm, kept, classes));
        };
    }

    private static Tensor mixTargets(Batch b, int[] perm, float lambda, int classes) {
        int n = b.size();
        float[] t = new float[n * classes];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = b.labels().get(i);
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= classes) throw new IllegalArgumentException("label " + y[i] + " of example " + i + " is not below " + classes + " classes");
            t[i * classes + y[i]] += lambda;
            t[i * classes + y[perm[i]]] += 1 - lambda;
        }
        return Tensor.of(t, n, classes);
    }

    private static void checkBatch(String what, Batch b) {
        if (b.x().dim() != 4) throw new IllegalArgumentException(what + " expects images [N, C, H, W], got shape " + Shape.str(b.x().shape()));
        if (b.labels() == null) throw new IllegalArgumentException(what + " needs class labels to mix");
    }

    private static void checkProbability(String what, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(what + " probability must be in [0, 1], got " + p);
    }

    /** Beta(α, α) as G₁/(G₁ + G₂) of two Gamma(α) draws. */
    static double beta(Rng rng, double alpha) {
        if (!(alpha > 0)) throw new IllegalArgumentException("mixing needs alpha > 0, got " + alpha);
        double g1 = gamma(rng, alpha), g2 = gamma(rng, alpha);
        return g1 / (g1 + g2);
    }

    /** Marsaglia and Tsang's method; for α &lt; 1 boosted by U^(1/α). */
    private static double gamma(Rng rng, double alpha) {
        if (alpha < 1) return gamma(rng, alpha + 1) * Math.pow(rng.nextDouble(), 1 / alpha);
        double d = alpha - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = rng.nextGaussian(), v = Math.pow(1 + c * z, 3);
            if (v <= 0) continue;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
        }
    }

    // ---------------------------------------------------------------- per-image plumbing

    private interface ImageOp {
        /** Writes the transformed image [c, h, w] of src into dst (both of that size). */
        void apply(float[] src, float[] dst, int c, int h, int w, Rng rng);
    }

    private static Transform perImage(ImageOp op) {
        return (b, rng) -> {
            int[] s = b.x().shape();
            if (s.length != 4) throw new IllegalArgumentException("image augmentation expects x [N, C, H, W], got shape " + Shape.str(s));
            int image = s[1] * s[2] * s[3];
            float[] all = b.x().toArray(), out = new float[all.length], src = new float[image], dst = new float[image];
            for (int i = 0; i < s[0]; i++) {
                System.arraycopy(all, i * image, src, 0, image);
                op.apply(src, dst, s[1], s[2], s[3], rng);
                System.arraycopy(dst, 0, out, i * image, image);
            }
            return new Batch(Tensor.of(out, s), b.labels(), b.targets());
        };
    }

    /** dst(y, x) = src(y − dy, x − dx), zeros outside. */
    static void shift(float[] src, float[] dst, int c, int h, int w, int dy, int dx) {
        Arrays.fill(dst, 0f);
        for (int ch = 0; ch < c; ch++) {
            for (int y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
                int x0 = Math.max(0, dx), x1 = Math.min(w, w + dx);
                if (x1 > x0) System.arraycopy(src, (ch * h + y - dy) * w + x0 - dx, dst, (ch * h + y) * w + x0, x1 - x0);
            }
        }
    }

    /** dst(p) = src(R⁻¹(p − centre − t) + centre), bilinear, zeros outside. */
    static void affine(float[] src, float[] dst, int c, int h, int w, double angle, double ty, double tx) {
        double cos = Math.cos(angle), sin = Math.sin(angle), cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double py = y - cy - ty, px = x - cx - tx;
                double sy = cos * py - sin * px + cy, sx = sin * py + cos * px + cx;
                int y0 = (int) Math.floor(sy), x0 = (int) Math.floor(sx);
                double fy = sy - y0, fx = sx - x0;
                for (int ch = 0; ch < c; ch++) {
                    int base = ch * h * w;
                    double v = (1 - fy) * ((1 - fx) * at(src, base, h, w, y0, x0) + fx * at(src, base, h, w, y0, x0 + 1))
                            + fy * ((1 - fx) * at(src, base, h, w, y0 + 1, x0) + fx * at(src, base, h, w, y0 + 1, x0 + 1));
                    dst[base + y * w + x] = (float) v;
                }
            }
        }
    }

    private static float at(float[] src, int base, int h, int w, int y, int x) {
        return y < 0 || y >= h || x < 0 || x >= w ? 0f : src[base + y * w + x];
    }
}
