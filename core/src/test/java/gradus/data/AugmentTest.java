package gradus.data;

import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The augmentations do what they say, and a seed fixes every augmented batch, prefetched or not. */
class AugmentTest {
    private static final int N = 12, C = 2, H = 6, W = 5;

    private static Tensor images() {
        float[] v = new float[N * C * H * W];
        for (int i = 0; i < v.length; i++) v[i] = 1 + i % 97; // all non-zero, so zeros mark padding
        return Tensor.of(v, N, C, H, W);
    }

    private static IntTensor labels() {
        int[] y = new int[N];
        for (int i = 0; i < N; i++) y[i] = i % 4;
        return IntTensor.of(y, N);
    }

    private static Batch batch() {
        return new Batch(images(), labels(), null);
    }

    private static final Augment.Transform ALL = Augment.compose(Augment.randomCrop(2), Augment.horizontalFlip(0.5),
            Augment.randomAffine(10, 0.1), Augment.randomErasing(0.5, 0.02, 0.2, 0f), Augment.normalize(new float[]{0.5f}, new float[]{2f}),
            Augment.cutmix(1.0, 4));

    private static List<float[]> epoch(long seed, int prefetch, int epoch) {
        DataLoader loader = DataLoader.of(new TensorDataset(images(), labels())).batchSize(4).shuffle(3).prefetch(prefetch).augment(ALL, seed);
        List<float[]> out = new ArrayList<>();
        for (Batch b : loader.epoch(epoch)) {
            out.add(b.x().toArray());
            out.add(b.targets().toArray());
        }
        return out;
    }

    @Test
    void aSeedFixesTheAugmentedBatchesOnTheBackgroundThreadToo() {
        List<float[]> direct = epoch(7, 0, 1), prefetched = epoch(7, 2, 1), again = epoch(7, 2, 1);
        for (int i = 0; i < direct.size(); i++) {
            assertArrayEquals(direct.get(i), prefetched.get(i));
            assertArrayEquals(direct.get(i), again.get(i));
        }
        assertFalse(java.util.Arrays.equals(direct.get(0), epoch(8, 0, 1).get(0)), "another seed augments differently");
        assertFalse(java.util.Arrays.equals(direct.get(0), epoch(7, 0, 2).get(0)), "another epoch augments differently");
    }

    @Test
    void flipMirrorsRowsAndTwiceIsIdentity() {
        Batch once = Augment.horizontalFlip(1).apply(batch(), new Rng(1));
        float[] x = images().toArray(), f = once.x().toArray();
        for (int r = 0; r < N * C * H; r++) for (int c = 0; c < W; c++) assertEquals(x[r * W + c], f[r * W + W - 1 - c]);
        assertArrayEquals(x, Augment.horizontalFlip(1).apply(once, new Rng(2)).x().toArray());
        assertArrayEquals(x, Augment.horizontalFlip(0).apply(batch(), new Rng(3)).x().toArray());
    }

    @Test
    void cropIsAShiftWithinThePaddingFilledWithZeros() {
        float[] x = images().toArray(), y = Augment.randomCrop(2).apply(batch(), new Rng(4)).x().toArray();
        int image = C * H * W, shifted = 0;
        for (int i = 0; i < N; i++) {
            boolean found = false;
            for (int dy = -2; dy <= 2 && !found; dy++) {
                for (int dx = -2; dx <= 2 && !found; dx++) {
                    float[] want = new float[image], src = java.util.Arrays.copyOfRange(x, i * image, (i + 1) * image);
                    Augment.shift(src, want, C, H, W, dy, dx);
                    found = java.util.Arrays.equals(want, java.util.Arrays.copyOfRange(y, i * image, (i + 1) * image));
                    if (found && (dy != 0 || dx != 0)) shifted++;
                }
            }
            assertTrue(found, "image " + i + " is a shift by at most 2 pixels");
        }
        assertTrue(shifted > N / 2, "most images move: " + shifted);
        assertArrayEquals(x, Augment.randomCrop(0).apply(batch(), new Rng(5)).x().toArray());
    }

    @Test
    void affineWithoutMotionIsIdentityAndAQuarterTurnRotatesASquare() {
        assertArrayEquals(images().toArray(), Augment.randomAffine(0, 0).apply(batch(), new Rng(6)).x().toArray(), 1e-5f);
        float[] src = new float[16], dst = new float[16];
        for (int i = 0; i < 16; i++) src[i] = i;
        Augment.affine(src, dst, 1, 4, 4, Math.PI / 2, 0, 0);
        // dst(y, x) = src(x', y') with the source point rotated back a quarter turn about the centre.
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) assertEquals(src[(3 - x) * 4 + y], dst[y * 4 + x], 1e-4, y + "," + x);
    }

    @Test
    void erasingBlanksOneRectangleOfTheRequestedArea() {
        float[] y = Augment.randomErasing(1, 0.1, 0.3, -7f).apply(batch(), new Rng(7)).x().toArray();
        for (int i = 0; i < N; i++) {
            int erased = 0;
            for (int j = i * C * H * W; j < (i + 1) * C * H * W; j++) if (y[j] == -7f) erased++;
            double fraction = erased / (double) (C * H * W);
            assertTrue(fraction == 0 || (fraction >= 0.05 && fraction <= 0.45), "image " + i + " erased fraction " + fraction);
        }
    }

    @Test
    void normalizeSubtractsAndDividesPerChannel() {
        float[] y = Augment.normalize(new float[]{1, 2}, new float[]{2, 4}).apply(batch(), new Rng(8)).x().toArray(), x = images().toArray();
        assertEquals((x[0] - 1) / 2, y[0], 1e-6);
        assertEquals((x[H * W] - 2) / 4, y[H * W], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Augment.normalize(new float[]{0, 0, 0}, new float[]{1, 1, 1}).apply(batch(), new Rng(9)));
    }

    @Test
    void mixupAndCutmixMixImagesAndTargetsAlike() {
        for (Augment.Transform t : new Augment.Transform[]{Augment.mixup(0.4, 4), Augment.cutmix(1.0, 4)}) {
            Batch b = t.apply(batch(), new Rng(10));
            float[] targets = b.targets().toArray();
            for (int i = 0; i < N; i++) {
                float sum = 0;
                for (int k = 0; k < 4; k++) sum += targets[i * 4 + k];
                assertEquals(1f, sum, 1e-5f, "targets of example " + i + " sum to one");
                assertTrue(targets[i * 4 + i % 4] >= 0.0f);
            }
        }
        // cutmix: the pixels that changed are exactly the pasted share that the target gives away
        Batch b = Augment.cutmix(1.0, 4).apply(new Batch(images(), IntTensor.of(new int[N], N), null), new Rng(11));
        float[] x = images().toArray(), y = b.x().toArray();
        int image = C * H * W, changedBox = 0;
        for (int j = 0; j < image; j++) if (x[j] != y[j] || x[image + j] != y[image + j]) changedBox++;
        assertTrue(changedBox <= image, "one box per image");
    }

    @Test
    void betaDrawsHaveTheBetaMeanAndVariance() {
        Rng rng = new Rng(12);
        double sum = 0, sq = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            double v = Augment.beta(rng, 0.4);
            sum += v;
            sq += v * v;
        }
        double mean = sum / n, var = sq / n - mean * mean;
        assertEquals(0.5, mean, 0.01);
        assertEquals(1 / (4 * (2 * 0.4 + 1)), var, 0.005); // α²/((2α)²(2α+1))
    }
}
