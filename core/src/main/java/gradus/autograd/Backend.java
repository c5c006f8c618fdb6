package gradus.autograd;

import gradus.autograd.ElementwiseOps.BinaryFn;
import gradus.autograd.ElementwiseOps.Cmp;
import gradus.autograd.ElementwiseOps.UnaryFn;
import gradus.tensor.DType;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.util.List;

/**
 * The kernels that ops run, one method per kernel; nothing here records a graph. Two implementations:
 * {@link FastBackend} (float32 on the Vector API and OpenBLAS through {@code gradus.kernels}) and
 * {@link ReferenceBackend} (plain Java, any dtype, computed in double) that every fast path is tested against.
 * Tensors of another dtype always get the reference; {@code -Dgradus.backend=reference} forces it for float32.
 * A device backend implements this interface over its own {@link gradus.tensor.Storage}.
 * Results are contiguous tensors of the inputs' dtype (float64 if any input is).
 */
public interface Backend {
    /** The reference, forced for float32 too when the system property {@code gradus.backend} is {@code reference}. */
    boolean FORCE_REFERENCE = "reference".equalsIgnoreCase(System.getProperty("gradus.backend", ""));

    /** The backend for these inputs. */
    static Backend of(Tensor... inputs) {
        if (FORCE_REFERENCE) return ReferenceBackend.INSTANCE;
        for (Tensor t : inputs) {
            if (t != null && t.dtype() != DType.FLOAT32) return ReferenceBackend.INSTANCE;
        }
        return FastBackend.INSTANCE;
    }

    String name();

    /**
     * Whether {@link Fused} ops may run their fused float32 kernels here. When false (the reference; a new
     * backend until it adds them) they run as their composite of primitive ops, so a backend needs only the
     * primitive kernels below to run every model.
     */
    default boolean fusedKernels() {
        return false;
    }

    // elementwise
    Tensor unary(UnaryFn fn, Tensor x);

    /** g · fn'(x), given y = fn(x). */
    Tensor unaryGrad(UnaryFn fn, Tensor g, Tensor x, Tensor y);

    /** a fn b with NumPy broadcasting. */
    Tensor binary(BinaryFn fn, Tensor a, Tensor b);

    /** x · scale + shift. */
    Tensor affine(Tensor x, float scale, float shift);

    /** x^p for a constant p. */
    Tensor pow(Tensor x, float p);

    /** where x &gt; 0 then x else slope·x. */
    Tensor leakyRelu(Tensor x, float slope);

    Tensor clamp(Tensor x, float min, float max);

    /** 1 where the comparison holds, else 0, broadcast. */
    Tensor compare(Cmp cmp, Tensor a, Tensor b);

    /** target += g (g broadcast to target), in place. */
    void addInPlace(Tensor target, Tensor g);

    /** target *= c, in place. */
    void scaleInPlace(Tensor target, float c);

    // reductions
    Tensor sumAll(Tensor x);

    Tensor sum(Tensor x, int dim, boolean keepDim);

    IntTensor argExtreme(Tensor x, int dim, boolean max);

    /** softmax, or log-softmax, along dim (max subtracted first). */
    Tensor softmax(Tensor x, int dim, boolean log);

    /** The gradient of softmax (or log-softmax) along dim given its output y. */
    Tensor softmaxGrad(Tensor g, Tensor y, int dim, boolean log);

    // indexing
    /** out[…i…] = x[…index[…i…]…] along dim; index has x's rank. */
    Tensor gather(Tensor x, int dim, IntTensor index);

    /** The adjoint of gather: zeros of {@code shape} with g added at the gathered positions. */
    Tensor scatterAdd(Tensor g, int[] shape, int dim, IntTensor index);

    /** Whole slices along dim picked by a 1-d index. */
    Tensor indexSelect(Tensor x, int dim, IntTensor index);

    /** The adjoint of indexSelect: zeros of {@code shape} with g's slices added at their indices. */
    Tensor indexAdd(Tensor g, int[] shape, int dim, IntTensor index);

    /** x with {@code value} where mask (broadcast to x) is non-zero. */
    Tensor maskedFill(Tensor x, Tensor mask, float value);

    /** a where condition is non-zero, else b; all broadcast. */
    Tensor where(Tensor condition, Tensor a, Tensor b);

    Tensor concat(List<Tensor> parts, int dim);

    /** A contiguous copy of x in {@code dtype}. */
    Tensor copy(Tensor x, DType dtype);

    // linear algebra
    /** Matrix product with broadcast batch dimensions; both at least 2-d. */
    Tensor matmul(Tensor a, Tensor b);

    /** y = x·Wᵀ + bias over rows: x [rows, in], W [out, in], bias [out] or null → [rows, out]. */
    Tensor linear(Tensor x, Tensor weight, Tensor bias);

    /** dX = dY·W for linear. */
    Tensor linearGradInput(Tensor g, Tensor weight);

    /** dW = dYᵀ·X for linear, already [out, in]. */
    Tensor linearGradWeight(Tensor g, Tensor x);

    /** db = column sums of dY [rows, out]. */
    Tensor columnSums(Tensor g);
}
