package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked heart of {@link Gemm}: an {@link #MR}×{@link #NR} tile of C accumulated in
 * eight vector registers from one packed A micro-panel and one packed B micro-panel.
 */
final class MicroKernel {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Rows of C per tile. Four rows of two vectors keep 8 accumulators in flight, which C2 allocates without spills. */
    static final int MR = 4;
    /** Columns of C per tile: two vectors. */
    static final int NR = 2 * L;

    private MicroKernel() {}

    /**
     * C[rows×cols tile at co] = alpha·(Ap·Bp) + beta·C, where {@code ap} holds kc steps of MR values and
     * {@code bp} kc steps of NR values (zero-padded past the matrix edge). beta == 0 never reads C.
     * A partial tile ({@code rows < MR} or {@code cols < NR}) goes through {@code tile}, an MR·NR scratch array.
     */
    static void run(int kc, float[] ap, int ao, float[] bp, int bo,
                    float[] c, int co, int ldc, int rows, int cols, float alpha, float beta, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00,
                c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0; p < kc; p++) {
            int a = ao + p * MR, b = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, b + L);
            FloatVector x = FloatVector.broadcast(SPECIES, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        if (rows == MR && cols == NR) {
            store(c00, c01, c, co, alpha, beta);
            store(c10, c11, c, co + ldc, alpha, beta);
            store(c20, c21, c, co + 2 * ldc, alpha, beta);
            store(c30, c31, c, co + 3 * ldc, alpha, beta);
        } else {
            c00.intoArray(tile, 0);
            c01.intoArray(tile, L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            for (int i = 0; i < rows; i++) {
                int ci = co + i * ldc;
                for (int j = 0; j < cols; j++) {
                    // Same operations as the vector store below, so partial tiles round identically.
                    float r = tile[i * NR + j] * alpha;
                    c[ci + j] = beta == 0f ? r : Math.fma(c[ci + j], beta, r);
                }
            }
        }
    }

    private static void store(FloatVector lo, FloatVector hi, float[] c, int co, float alpha, float beta) {
        if (beta == 0f) {
            lo.mul(alpha).intoArray(c, co);
            hi.mul(alpha).intoArray(c, co + L);
        } else {
            FloatVector vb = FloatVector.broadcast(SPECIES, beta);
            FloatVector.fromArray(SPECIES, c, co).fma(vb, lo.mul(alpha)).intoArray(c, co);
            FloatVector.fromArray(SPECIES, c, co + L).fma(vb, hi.mul(alpha)).intoArray(c, co + L);
        }
    }
}
