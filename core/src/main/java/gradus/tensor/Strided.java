package gradus.tensor;

/** Copies between arbitrarily strided layouts; the innermost dimension runs as a tight loop. */
final class Strided {
    private Strided() {}

    /** Any storage to any storage (converting between dtypes); float32 to float32 takes the array path. */
    static void copy(Storage src, int srcOff, int[] srcStrides, Storage dst, int dstOff, int[] dstStrides, int[] shape) {
        if (src instanceof Storage.HeapFloat(float[] s) && dst instanceof Storage.HeapFloat(float[] d)) {
            copy(s, srcOff, srcStrides, d, dstOff, dstStrides, shape);
            return;
        }
        int rank = shape.length, n = Shape.numel(shape);
        int[] idx = new int[rank];
        for (int e = 0; e < n; e++) {
            int ps = srcOff, pd = dstOff;
            for (int k = 0; k < rank; k++) {
                ps += idx[k] * srcStrides[k];
                pd += idx[k] * dstStrides[k];
            }
            dst.set(pd, src.get(ps));
            for (int k = rank - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) break;
                idx[k] = 0;
            }
        }
    }

    static void copy(float[] src, int srcOff, int[] srcStrides, float[] dst, int dstOff, int[] dstStrides, int[] shape) {
        int rank = shape.length;
        if (rank == 0) {
            dst[dstOff] = src[srcOff];
            return;
        }
        int n = Shape.numel(shape);
        if (n == 0) return;
        int inner = shape[rank - 1], si = srcStrides[rank - 1], di = dstStrides[rank - 1];
        int[] idx = new int[rank];
        int s = srcOff, d = dstOff;
        for (int done = 0; done < n; done += inner) {
            if (si == 1 && di == 1) {
                System.arraycopy(src, s, dst, d, inner);
            } else {
                for (int j = 0, ps = s, pd = d; j < inner; j++, ps += si, pd += di) dst[pd] = src[ps];
            }
            for (int k = rank - 2; k >= 0; k--) {
                idx[k]++;
                s += srcStrides[k];
                d += dstStrides[k];
                if (idx[k] < shape[k]) break;
                s -= srcStrides[k] * shape[k];
                d -= dstStrides[k] * shape[k];
                idx[k] = 0;
            }
        }
    }
}
