package gradus.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static gradus.kernels.MicroKernel.MR;
import static gradus.kernels.MicroKernel.NR;

/**
 * Copies blocks of op(A) and op(B) into the layouts {@link MicroKernel} streams through: B as NR-wide
 * micro-panels holding NR values per depth step, A as plain rows along the depth (row-major A is read in
 * place; only Aᵀ and the last partial tile of rows are copied), both zero-padded past the matrix edge.
 * Transposed operands are transposed in 8×8 register blocks when vectors hold at least 8 floats, and by
 * scalar copies otherwise and at the edges.
 */
final class Packing {
    private static final VectorSpecies<Float> F = MicroKernel.SPECIES;
    private static final int L = F.length();
    /**
     * Register transposes work on 8×8 blocks of 256-bit vectors, which AVX2 and AVX-512 run natively (panels are
     * NR = 16 or 32 wide, multiples of 8); with narrower vectors (NEON) the scalar copies are faster.
     */
    static final boolean TRANSPOSE8 = L >= 8;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;
    /** Interleave the low / high halves of two vectors, in floats, pairs of floats, and quadruples. */
    private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromValues(F8, 0, 8, 1, 9, 2, 10, 3, 11);
    private static final VectorShuffle<Float> ZIP_HI = VectorShuffle.fromValues(F8, 4, 12, 5, 13, 6, 14, 7, 15);
    private static final VectorShuffle<Double> ZIP2_LO = VectorShuffle.fromValues(D4, 0, 4, 1, 5);
    private static final VectorShuffle<Double> ZIP2_HI = VectorShuffle.fromValues(D4, 2, 6, 3, 7);
    private static final VectorShuffle<Float> ZIP4_LO = VectorShuffle.fromValues(F8, 0, 1, 2, 3, 8, 9, 10, 11);
    private static final VectorShuffle<Float> ZIP4_HI = VectorShuffle.fromValues(F8, 4, 5, 6, 7, 12, 13, 14, 15);

    private Packing() {}

    /**
     * Copies the last {@code rows < MR} rows of a row-major A block (kc long, {@code lda} apart) into MR
     * rows of kc, the missing ones zero, so that the kernel can read a whole tile's rows.
     */
    static void copyEdgeRows(float[] a, int off, int lda, int rows, int kc, float[] dst) {
        for (int r = 0; r < MR; r++) {
            if (r < rows) System.arraycopy(a, off + r * lda, dst, r * kc, kc);
            else Arrays.fill(dst, r * kc, (r + 1) * kc, 0f);
        }
    }

    /**
     * Packs op(A) = Aᵀ, where A is stored as kc rows of mc ({@code lda} apart), into a row-major mc×kc block
     * (rows kc apart), zero rows appended up to a multiple of MR.
     */
    static void packAt(float[] a, int off, int lda, int mc, int kc, float[] dst) {
        int i = 0;
        if (TRANSPOSE8) {
            for (; i + 8 <= mc; i += 8) {
                int p = 0;
                for (; p + 8 <= kc; p += 8) transpose8x8(a, off + p * lda + i, lda, dst, i * kc + p, kc);
                for (; p < kc; p++) {
                    for (int q = i; q < i + 8; q++) dst[q * kc + p] = a[off + p * lda + q];
                }
            }
        }
        for (; i < mc; i++) {
            for (int p = 0; p < kc; p++) dst[i * kc + p] = a[off + p * lda + i];
        }
        Arrays.fill(dst, mc * kc, (mc + MR - 1) / MR * MR * kc, 0f);
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
            int cols = Math.min(NR, nc - jr), d = jr * kc, s = off + jr * ldb, j = 0;
            if (TRANSPOSE8) { // whole groups of 8 columns (a narrow edge panel still has some)
                for (; j + 8 <= cols; j += 8) {
                    int p = 0;
                    for (; p + 8 <= kc; p += 8) transpose8x8(b, s + j * ldb + p, ldb, dst, d + p * NR + j, NR);
                    for (; p < kc; p++) {
                        for (int q = j; q < j + 8; q++) dst[d + p * NR + q] = b[s + q * ldb + p];
                    }
                }
            }
            for (; j < NR; j++) {
                int sj = s + j * ldb;
                for (int p = 0; p < kc; p++) dst[d + p * NR + j] = j < cols ? b[sj + p] : 0f;
            }
        }
    }

    /** dst[d + q·ldd + r] = src[s + r·ld + q] for 8 rows r and 8 columns q. */
    static void transpose8x8(float[] src, int s, int ld, float[] dst, int d, int ldd) {
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
        u0.rearrange(ZIP4_HI, u4).intoArray(dst, d + ldd);
        u1.rearrange(ZIP4_LO, u5).intoArray(dst, d + 2 * ldd);
        u1.rearrange(ZIP4_HI, u5).intoArray(dst, d + 3 * ldd);
        u2.rearrange(ZIP4_LO, u6).intoArray(dst, d + 4 * ldd);
        u2.rearrange(ZIP4_HI, u6).intoArray(dst, d + 5 * ldd);
        u3.rearrange(ZIP4_LO, u7).intoArray(dst, d + 6 * ldd);
        u3.rearrange(ZIP4_HI, u7).intoArray(dst, d + 7 * ldd);
    }
}
