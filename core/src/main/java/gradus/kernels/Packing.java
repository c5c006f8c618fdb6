package gradus.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import static gradus.kernels.MicroKernel.MR;
import static gradus.kernels.MicroKernel.NR;

/**
 * Copies blocks of op(A) and op(B) into the layouts {@link MicroKernel} streams through: A as MR-tall
 * micro-panels holding MR values per depth step, B as NR-wide micro-panels holding NR values per depth step,
 * both zero-padded past the matrix edge. The two layouts that need a transpose (A stored by rows, B stored
 * transposed) transpose 8×8 or 4×8 blocks in registers when vectors hold 8 floats, and fall back to scalar
 * copies otherwise and at the edges.
 */
final class Packing {
    private static final VectorSpecies<Float> F = MicroKernel.SPECIES;
    private static final int L = F.length();
    /** Register transposes are written for 8-float vectors (AVX2); other widths use the scalar copies. */
    private static final boolean TRANSPOSE8 = L == 8;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** One depth step of an A micro-panel (MR = 4 floats): native on AVX2 and NEON. */
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;
    /** Interleave the low / high halves of two vectors, in floats, pairs of floats, and quadruples. */
    private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromValues(F8, 0, 8, 1, 9, 2, 10, 3, 11);
    private static final VectorShuffle<Float> ZIP_HI = VectorShuffle.fromValues(F8, 4, 12, 5, 13, 6, 14, 7, 15);
    private static final VectorShuffle<Double> ZIP2_LO = VectorShuffle.fromValues(D4, 0, 4, 1, 5);
    private static final VectorShuffle<Double> ZIP2_HI = VectorShuffle.fromValues(D4, 2, 6, 3, 7);
    private static final VectorShuffle<Float> ZIP4_LO = VectorShuffle.fromValues(F8, 0, 1, 2, 3, 8, 9, 10, 11);
    private static final VectorShuffle<Float> ZIP4_HI = VectorShuffle.fromValues(F8, 4, 5, 6, 7, 12, 13, 14, 15);

    private Packing() {}

    /** Packs op(A) = A[mc×kc], stored by rows ({@code lda} apart), into MR-tall panels. */
    static void packA(float[] a, int off, int lda, int mc, int kc, float[] dst) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir), d = ir * kc, s = off + ir * lda, p = 0;
            if (TRANSPOSE8 && rows == MR) {
                for (; p + 8 <= kc; p += 8) transpose4x8(a, s + p, lda, dst, d + p * MR);
            }
            for (int r = 0; r < MR; r++) {
                int sr = s + r * lda;
                for (int q = p; q < kc; q++) dst[d + q * MR + r] = r < rows ? a[sr + q] : 0f;
            }
        }
    }

    /** Packs op(A) = Aᵀ, where A is stored as kc rows of mc ({@code lda} apart): each step is a contiguous copy. */
    static void packAt(float[] a, int off, int lda, int mc, int kc, float[] dst) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir), d = ir * kc;
            for (int p = 0; p < kc; p++, d += MR) {
                int s = off + p * lda + ir;
                if (rows == MR) {
                    FloatVector.fromArray(F4, a, s).intoArray(dst, d);
                } else {
                    for (int r = 0; r < MR; r++) dst[d + r] = r < rows ? a[s + r] : 0f;
                }
            }
        }
    }

    /** Packs op(B) = B[kc×nc], stored by rows ({@code ldb} apart), into NR-wide panels: contiguous copies. */
    static void packB(float[] b, int off, int ldb, int kc, int nc, float[] dst) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr), d = jr * kc;
            for (int p = 0; p < kc; p++, d += NR) {
                int s = off + p * ldb + jr;
                if (cols == NR) {
                    for (int v = 0; v < NR; v += L) FloatVector.fromArray(F, b, s + v).intoArray(dst, d + v);
                } else {
                    for (int j = 0; j < NR; j++) dst[d + j] = j < cols ? b[s + j] : 0f;
                }
            }
        }
    }

    /** Packs op(B) = Bᵀ, where B is stored as nc rows of kc ({@code ldb} apart), into NR-wide panels. */
    static void packBt(float[] b, int off, int ldb, int kc, int nc, float[] dst) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr), d = jr * kc, s = off + jr * ldb, p = 0;
            if (TRANSPOSE8 && cols == NR) {
                for (; p + 8 <= kc; p += 8) {
                    for (int h = 0; h < NR; h += 8) transpose8x8(b, s + h * ldb + p, ldb, dst, d + p * NR + h);
                }
            }
            for (int j = 0; j < NR; j++) {
                int sj = s + j * ldb;
                for (int q = p; q < kc; q++) dst[d + q * NR + j] = j < cols ? b[sj + q] : 0f;
            }
        }
    }

    /** dst[4q + r] = src[s + r·ld + q] for 4 rows r and 8 columns q. */
    private static void transpose4x8(float[] src, int s, int ld, float[] dst, int d) {
        FloatVector r0 = FloatVector.fromArray(F8, src, s), r1 = FloatVector.fromArray(F8, src, s + ld);
        FloatVector r2 = FloatVector.fromArray(F8, src, s + 2 * ld), r3 = FloatVector.fromArray(F8, src, s + 3 * ld);
        // (r0,r1) pairs per column, then pairs of pairs give columns of four.
        DoubleVector t0 = r0.rearrange(ZIP_LO, r1).reinterpretAsDoubles(), t1 = r0.rearrange(ZIP_HI, r1).reinterpretAsDoubles();
        DoubleVector t2 = r2.rearrange(ZIP_LO, r3).reinterpretAsDoubles(), t3 = r2.rearrange(ZIP_HI, r3).reinterpretAsDoubles();
        t0.rearrange(ZIP2_LO, t2).reinterpretAsFloats().intoArray(dst, d);
        t0.rearrange(ZIP2_HI, t2).reinterpretAsFloats().intoArray(dst, d + 8);
        t1.rearrange(ZIP2_LO, t3).reinterpretAsFloats().intoArray(dst, d + 16);
        t1.rearrange(ZIP2_HI, t3).reinterpretAsFloats().intoArray(dst, d + 24);
    }

    /** dst[q·NR + r] = src[s + r·ld + q] for 8 rows r and 8 columns q. */
    private static void transpose8x8(float[] src, int s, int ld, float[] dst, int d) {
        FloatVector r0 = FloatVector.fromArray(F8, src, s), r1 = FloatVector.fromArray(F8, src, s + ld);
        FloatVector r2 = FloatVector.fromArray(F8, src, s + 2 * ld), r3 = FloatVector.fromArray(F8, src, s + 3 * ld);
        FloatVector r4 = FloatVector.fromArray(F8, src, s + 4 * ld), r5 = FloatVector.fromArray(F8, src, s + 5 * ld);
        FloatVector r6 = FloatVector.fromArray(F8, src, s + 6 * ld), r7 = FloatVector.fromArray(F8, src, s + 7 * ld);
        DoubleVector t0 = r0.rearrange(ZIP_LO, r1).reinterpretAsDoubles(), t1 = r0.rearrange(ZIP_HI, r1).reinterpretAsDoubles();
        DoubleVector t2 = r2.rearrange(ZIP_LO, r3).reinterpretAsDoubles(), t3 = r2.rearrange(ZIP_HI, r3).reinterpretAsDoubles();
        DoubleVector t4 = r4.rearrange(ZIP_LO, r5).reinterpretAsDoubles(), t5 = r4.rearrange(ZIP_HI, r5).reinterpretAsDoubles();
        DoubleVector t6 = r6.rearrange(ZIP_LO, r7).reinterpretAsDoubles(), t7 = r6.rearrange(ZIP_HI, r7).reinterpretAsDoubles();
        // u0 holds rows 0-3 of columns 0 and 1, u4 rows 4-7 of the same columns, and so on.
        FloatVector u0 = t0.rearrange(ZIP2_LO, t2).reinterpretAsFloats(), u1 = t0.rearrange(ZIP2_HI, t2).reinterpretAsFloats();
        FloatVector u2 = t1.rearrange(ZIP2_LO, t3).reinterpretAsFloats(), u3 = t1.rearrange(ZIP2_HI, t3).reinterpretAsFloats();
        FloatVector u4 = t4.rearrange(ZIP2_LO, t6).reinterpretAsFloats(), u5 = t4.rearrange(ZIP2_HI, t6).reinterpretAsFloats();
        FloatVector u6 = t5.rearrange(ZIP2_LO, t7).reinterpretAsFloats(), u7 = t5.rearrange(ZIP2_HI, t7).reinterpretAsFloats();
        u0.rearrange(ZIP4_LO, u4).intoArray(dst, d);
        u0.rearrange(ZIP4_HI, u4).intoArray(dst, d + NR);
        u1.rearrange(ZIP4_LO, u5).intoArray(dst, d + 2 * NR);
        u1.rearrange(ZIP4_HI, u5).intoArray(dst, d + 3 * NR);
        u2.rearrange(ZIP4_LO, u6).intoArray(dst, d + 4 * NR);
        u2.rearrange(ZIP4_HI, u6).intoArray(dst, d + 5 * NR);
        u3.rearrange(ZIP4_LO, u7).intoArray(dst, d + 6 * NR);
        u3.rearrange(ZIP4_HI, u7).intoArray(dst, d + 7 * NR);
    }
}
