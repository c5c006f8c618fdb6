package gradus.nn;

import gradus.tensor.Tensor;

/** Maximum over windows of [N, C, H, W] (padding counts as -∞); the gradient flows to each window's maximum. */
public final class MaxPool2d extends Pool2d {
    public MaxPool2d(int kernel) {
        this(new int[]{kernel}, null, new int[]{0});
    }

    public MaxPool2d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this(new int[]{kernel}, new int[]{stride}, new int[]{padding});
    }

    /** Sizes are {h, w} or one value for both; a null stride means the kernel size. */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding) {
        super(kernel, stride, padding);
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.maxPool2d(x, kernel, stride, padding);
    }
}
