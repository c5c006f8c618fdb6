package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked heart of {@link Gemm}: an {@link #MR}×{@link #NR} tile of C accumulated in
 * eight vector registers from MR rows of A (broadcast one value at a time) and one packed B micro-panel.
 */
final class MicroKernel {
    static final VectorSpecies<Float> SPECIES = VectorWidth.FLOAT;
    private static final int L = SPECIES.length();
    /**
     * Rows of C per tile. Four rows of two vectors keep 8 accumulators in flight, which C2 allocates without
     * spills (measured: 6×2 vectors is as fast only when unrolled twice by hand, 5×2 and 8×1 are slower).
     * The four rows are spelled out below.
     */
    static final int MR = 4;
    /** Columns of C per tile: two vectors. */
    static final int NR = 2 * L;

    private MicroKernel() {}

    /**
     * C[rows×cols tile at co] = alpha·(A·Bp) + beta·C over kc depth steps. A is read in place: its MR rows
     * start at {@code ao + r·lda} and run contiguously along the depth (row-major A needs no packing).
     * {@code bp} holds kc steps of NR values, zero-padded past the matrix edge. beta == 0 never reads C.
     * A partial tile ({@code rows < MR} or {@code cols < NR}) goes through {@code tile}, an MR·NR scratch array;
     * its A rows past {@code rows} must still be readable (the caller pads them).
     */
    static void run(int kc, float[] a, int ao, int lda, float[] bp, int bo,
                    float[] c, int co, int ldc, int rows, int cols, float alpha, float beta, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00,
                c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        // Four row streams with unit stride: C2 hoists each one's bounds check out of the loop.
        int a0 = ao, a1 = ao + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int p = 0; p < kc; p++) {
            int b = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, b + L);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        // The write-back is spelled out rather than factored into a helper taking vectors: C2 does not always
        // inline such a helper, and then every accumulator is boxed on the heap, which costs 3x.
        if (rows == MR && cols == NR && beta == 0f) {
            c00.mul(alpha).intoArray(c, co);
            c01.mul(alpha).intoArray(c, co + L);
            c10.mul(alpha).intoArray(c, co + ldc);
            c11.mul(alpha).intoArray(c, co + ldc + L);
            c20.mul(alpha).intoArray(c, co + 2 * ldc);
            c21.mul(alpha).intoArray(c, co + 2 * ldc + L);
            c30.mul(alpha).intoArray(c, co + 3 * ldc);
            c31.mul(alpha).intoArray(c, co + 3 * ldc + L);
        } else if (rows == MR && cols == NR) {
            FloatVector vb = FloatVector.broadcast(SPECIES, beta);
            int r0 = co, r1 = co + ldc, r2 = co + 2 * ldc, r3 = co + 3 * ldc;
            FloatVector.fromArray(SPECIES, c, r0).fma(vb, c00.mul(alpha)).intoArray(c, r0);
            FloatVector.fromArray(SPECIES, c, r0 + L).fma(vb, c01.mul(alpha)).intoArray(c, r0 + L);
            FloatVector.fromArray(SPECIES, c, r1).fma(vb, c10.mul(alpha)).intoArray(c, r1);
            FloatVector.fromArray(SPECIES, c, r1 + L).fma(vb, c11.mul(alpha)).intoArray(c, r1 + L);
            FloatVector.fromArray(SPECIES, c, r2).fma(vb, c20.mul(alpha)).intoArray(c, r2);
            FloatVector.fromArray(SPECIES, c, r2 + L).fma(vb, c21.mul(alpha)).intoArray(c, r2 + L);
            FloatVector.fromArray(SPECIES, c, r3).fma(vb, c30.mul(alpha)).intoArray(c, r3);
            FloatVector.fromArray(SPECIES, c, r3 + L).fma(vb, c31.mul(alpha)).intoArray(c, r3 + L);
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
                    // Same operations as the vector write-back above, so partial tiles round identically.
                    float r = tile[i * NR + j] * alpha;
                    c[ci + j] = beta == 0f ? r : Math.fma(c[ci + j], beta, r);
                }
            }
        }
    }
}
