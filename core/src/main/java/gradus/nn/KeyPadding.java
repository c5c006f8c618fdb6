package gradus.nn;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;

/**
 * Which keys of each batch row are padding, so attention ignores them. Built from per-row lengths
 * (keys at and after the length are padding), or from a [B, T] 0/1 mask in either convention:
 * {@link #keep} (1 = real token, Hugging Face's attention_mask) or {@link #ignore}
 * (1 = padding, PyTorch's key_padding_mask).
 */
public final class KeyPadding {
    private final int batch, keys;
    private final boolean[] masked;

    private KeyPadding(int batch, int keys, boolean[] masked) {
        this.batch = batch;
        this.keys = keys;
        this.masked = masked;
    }

    /** Row b has {@code lengths[b]} real keys, the rest (up to any key count) are padding. */
    public static KeyPadding lengths(int... lengths) {
        for (int len : lengths) if (len < 0) throw new IllegalArgumentException("key lengths must be >= 0, got " + Arrays.toString(lengths));
        int max = Arrays.stream(lengths).max().orElse(0);
        boolean[] m = new boolean[lengths.length * max];
        for (int b = 0; b < lengths.length; b++) Arrays.fill(m, b * max + lengths[b], (b + 1) * max, true);
        return new KeyPadding(lengths.length, -max - 1, m); // negative: lengths, valid for any key count ≥ max
    }

    /** From a [B, T] mask where 1 marks a real token and 0 padding. */
    public static KeyPadding keep(Tensor mask) {
        return fromMask(mask, false);
    }

    /** From a [B, T] mask where 1 marks padding and 0 a real token. */
    public static KeyPadding ignore(Tensor mask) {
        return fromMask(mask, true);
    }

    private static KeyPadding fromMask(Tensor mask, boolean oneIsPadding) {
        if (mask.dim() != 2) throw new IllegalArgumentException("key padding mask must be [batch, keys], got shape " + Shape.str(mask.shape()));
        float[] v = mask.toArray();
        boolean[] m = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0f && v[i] != 1f) throw new IllegalArgumentException("key padding mask must hold 0 and 1, got " + v[i]);
            m[i] = (v[i] == 1f) == oneIsPadding;
        }
        return new KeyPadding(mask.size(0), mask.size(1), m);
    }

    /** Flags [batch · keys], true where key j of row b is padding; checks that the sizes fit. */
    boolean[] flags(int batchSize, int keyCount) {
        if (batchSize != batch) {
            throw new IllegalArgumentException("key padding covers " + batch + " batch rows, attention has " + batchSize);
        }
        if (keys >= 0) {
            if (keys != keyCount) throw new IllegalArgumentException("key padding mask covers " + keys + " keys, attention has " + keyCount);
            return masked;
        }
        int max = -keys - 1;
        if (keyCount < max) throw new IllegalArgumentException("key lengths go up to " + max + " but attention has only " + keyCount + " keys");
        boolean[] m = new boolean[batch * keyCount];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < keyCount; j++) m[b * keyCount + j] = j >= max || masked[b * max + j];
        }
        return m;
    }
}
