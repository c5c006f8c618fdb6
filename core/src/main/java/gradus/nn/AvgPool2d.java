package gradus.nn;

import gradus.tensor.Tensor;

/** Mean over windows of [N, C, H, W]; padded positions count as zeros (PyTorch's count_include_pad). */
public final class AvgPool2d extends Pool2d {
    public AvgPool2d(int kernel) {
        this(new int[]{kernel}, null, new int[]{0});
    }

    public AvgPool2d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this(new int[]{kernel}, new int[]{stride}, new int[]{padding});
    }

    /** Sizes are {h, w} or one value for both; a null stride means the kernel size. */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding) {
        super(kernel, stride, padding);
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.avgPool2d(x, kernel, stride, padding);
    }
}
