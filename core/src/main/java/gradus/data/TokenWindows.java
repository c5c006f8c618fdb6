package gradus.data;

import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

/**
 * Next-token examples cut from one token stream: example {@code i} is the window of {@code context}
 * tokens starting at {@code i·stride} as input, and the same window shifted by one as labels.
 * Stride 1 with a shuffled loader samples random windows (as GPT training does); stride = context
 * covers a validation text once, without overlap (the tail shorter than a window is left out).
 */
public final class TokenWindows implements Dataset {
    private final int[] tokens;
    private final int context, stride, size;

    public TokenWindows(int[] tokens, int context, int stride) {
        if (context < 1 || stride < 1) throw new IllegalArgumentException("context and stride must be positive, got " + context + ", " + stride);
        if (tokens.length < context + 1) {
            throw new DataException("the text has " + tokens.length + " tokens, fewer than one window of context " + context + " + 1");
        }
        this.tokens = tokens;
        this.context = context;
        this.stride = stride;
        this.size = (tokens.length - context - 1) / stride + 1;
    }

    @Override
    public int size() {
        return size;
    }

    public int context() {
        return context;
    }

    /** x: token ids [B, context] (as floats, the input type of every module); labels: the next ids [B, context]. */
    @Override
    public Batch get(int[] indices) {
        int b = indices.length;
        float[] x = new float[b * context];
        int[] y = new int[b * context];
        for (int r = 0; r < b; r++) {
            int i = indices[r];
            if (i < 0 || i >= size) throw new IndexOutOfBoundsException("window " + i + " of " + size);
            int start = i * stride;
            for (int t = 0; t < context; t++) x[r * context + t] = tokens[start + t];
            System.arraycopy(tokens, start + 1, y, r * context, context);
        }
        return new Batch(Tensor.of(x, b, context), IntTensor.of(y, b, context), null);
    }
}
