package gradus.kernels;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * On every provider, and under auto whatever it chose: a row's result is independent of the other rows of its batch
 * (bit for bit, from one row alone on, wherever the row sits in the batch), and the providers agree within the float
 * tolerance. This is what lets the server batch requests freely (it once padded every pass to MicroKernel.MR rows).
 */
class ProviderAgreementTest {
    /** One op(B) per shape class (n, k, transB), as a layer's weight. */
    private static final int[][] WEIGHTS = {{700, 9, 0}, {9, 3000, 1}, {64, 784, 1}, {512, 512, 0}, {1024, 1024, 1},
            {1, 300, 1}, {1, 300, 0}, {3, 40, 1}, {10, 2000, 0}};
    private static final int ROWS = 200;
    private static final int[] BATCHES = {1, 2, 3, MicroKernel.MR, MicroKernel.MR + 1, 7, 13, 17, 64, ROWS};

    private record Setting(String name, Blas.Provider provider, GemmChoice choice) {}

    private static GemmChoice choice(java.util.function.Function<ShapeClass, Blas.Provider> pick) {
        Map<ShapeClass, GemmChoice.Pick> picks = new EnumMap<>(ShapeClass.class);
        for (ShapeClass c : ShapeClass.values()) picks.put(c, new GemmChoice.Pick(pick.apply(c), 1, 1));
        return new GemmChoice(picks, "test");
    }

    private static List<Setting> settings() {
        List<Setting> s = new ArrayList<>(List.of(new Setting("java", Blas.Provider.JAVA, null)));
        if (Blas.openBlasAvailable()) {
            s.add(new Setting("openblas", Blas.Provider.OPENBLAS, null));
            s.add(new Setting("auto, mixed", Blas.Provider.AUTO,
                    choice(c -> c.ordinal() % 2 == 0 ? Blas.Provider.OPENBLAS : Blas.Provider.JAVA)));
            s.add(new Setting("auto, mixed the other way", Blas.Provider.AUTO,
                    choice(c -> c.ordinal() % 2 == 1 ? Blas.Provider.OPENBLAS : Blas.Provider.JAVA)));
        }
        return s;
    }

    /** C = X[rows × k] · op(W) under a setting. */
    private static float[] product(Setting s, float[] x, int rows, float[] w, int[] nk) {
        return product(s, x, 0, rows, w, nk);
    }

    /** C = X[first, first + rows) · op(W) under a setting. */
    private static float[] product(Setting s, float[] x, int first, int rows, float[] w, int[] nk) {
        Blas.Provider before = Blas.provider();
        GemmChoice beforeChoice = Blas.choice();
        try {
            Blas.use(s.provider);
            if (s.choice != null) Blas.useChoice(s.choice);
            int n = nk[0], k = nk[1];
            boolean tB = nk[2] == 1;
            float[] c = new float[rows * n];
            Gemm.sgemm(false, tB, rows, n, k, 1f, x, first * k, k, w, 0, tB ? k : n, 0f, c, 0, n);
            return c;
        } finally {
            Blas.use(before);
            Blas.useChoice(beforeChoice);
        }
    }

    @Test
    void rowsDoNotDependOnTheirBatchAndProvidersAgree() {
        Random rnd = new Random(5);
        for (int[] nk : WEIGHTS) {
            float[] x = new float[ROWS * nk[1]], w = new float[nk[0] * nk[1]];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
            float[] java = null;
            for (Setting s : settings()) {
                float[] full = product(s, x, ROWS, w, nk);
                for (int rows : BATCHES) {
                    float[] part = product(s, x, rows, w, nk);
                    for (int i = 0; i < rows * nk[0]; i++) {
                        if (Float.floatToIntBits(part[i]) != Float.floatToIntBits(full[i])) {
                            fail(s.name + ", n=" + nk[0] + " k=" + nk[1] + ": row " + i / nk[0] + " of a batch of " + rows
                                    + " = " + part[i] + ", of " + ROWS + " = " + full[i]);
                        }
                    }
                }
                // Rows computed alone, and inside batches that start just before them.
                for (int row : new int[]{0, 1, 5, 38, ROWS - 1}) {
                    for (int rows : BATCHES) {
                        int first = Math.max(0, Math.min(row - rows / 2, ROWS - rows));
                        float[] part = product(s, x, first, rows, w, nk);
                        for (int j = 0; j < nk[0]; j++) {
                            float got = part[(row - first) * nk[0] + j], want = full[row * nk[0] + j];
                            if (Float.floatToIntBits(got) != Float.floatToIntBits(want)) {
                                fail(s.name + ", n=" + nk[0] + " k=" + nk[1] + ": row " + row + " in rows [" + first + ", "
                                        + (first + rows) + ") = " + got + ", in all " + ROWS + " = " + want);
                            }
                        }
                    }
                }
                if (java == null) java = full;
                for (int i = 0; i < full.length; i++) { // |C| ~ √k: the documented 1e-4 relative to Σ|x||w| ~ k
                    assertEquals(java[i], full[i], 1e-4f * nk[1], s.name + " vs java, n=" + nk[0] + " k=" + nk[1] + " at " + i);
                }
            }
        }
    }

    /**
     * Every batch size from 1 to 64 (the server's batches), on every provider: row i of a batch's product, and of a
     * pre-packed weight's linear + bias (BertInference's path: its own packed kernel up to MAX_ROWS rows, one row
     * included, GEMM where OpenBLAS is faster), is bit for bit row i alone. The GELU epilogue is left out: it is
     * elementwise, so it adds no batch dependence.
     */
    @Test
    void everyBatchFrom1To64GivesEachRowItsResultAlone() {
        Random rnd = new Random(11);
        int[][] weights = {{64, 784, 1}, {384, 384, 1}, {10, 200, 0}, {3, 40, 1}};
        for (int[] nk : weights) {
            int n = nk[0], k = nk[1];
            float[] x = new float[64 * k], w = new float[n * k], bias = new float[n];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian() / (float) Math.sqrt(k);
            for (int i = 0; i < n; i++) bias[i] = (float) rnd.nextGaussian();
            PackedWeight packed = nk[2] == 1 ? PackedWeight.of(w, 0, n, k) : null;
            for (Setting s : settings()) {
                float[][] alone = new float[64][], aloneLinear = new float[64][];
                for (int r = 0; r < 64; r++) {
                    alone[r] = product(s, x, r, 1, w, nk);
                    if (packed != null) aloneLinear[r] = linear(s, packed, x, r, 1, bias);
                }
                for (int rows = 1; rows <= 64; rows++) {
                    float[] all = product(s, x, 0, rows, w, nk);
                    float[] allLinear = packed == null ? null : linear(s, packed, x, 0, rows, bias);
                    for (int r = 0; r < rows; r++) {
                        assertRowEquals(alone[r], all, r, s.name + " product n=" + n + " k=" + k + ", row " + r + " of " + rows);
                        if (packed != null) {
                            assertRowEquals(aloneLinear[r], allLinear, r, s.name + " packed linear+bias n=" + n + " k=" + k + ", row " + r + " of " + rows);
                        }
                    }
                }
            }
        }
    }

    /** Y = X[first, first + rows)·Wᵀ + bias through a pre-packed weight under a setting. */
    private static float[] linear(Setting s, PackedWeight w, float[] x, int first, int rows, float[] bias) {
        Blas.Provider before = Blas.provider();
        GemmChoice beforeChoice = Blas.choice();
        try {
            Blas.use(s.provider);
            if (s.choice != null) Blas.useChoice(s.choice);
            float[] y = new float[rows * w.outFeatures()];
            w.multiply(rows, x, first * w.inFeatures(), w.inFeatures(), bias, false, y, 0, w.outFeatures());
            return y;
        } finally {
            Blas.use(before);
            Blas.useChoice(beforeChoice);
        }
    }

    private static void assertRowEquals(float[] alone, float[] batch, int row, String what) {
        for (int j = 0; j < alone.length; j++) {
            float got = batch[row * alone.length + j];
            if (Float.floatToIntBits(got) != Float.floatToIntBits(alone[j])) {
                fail(what + ", column " + j + ": in the batch " + got + ", alone " + alone[j]);
            }
        }
    }
}
