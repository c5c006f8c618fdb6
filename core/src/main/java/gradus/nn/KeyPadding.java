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
    private final int[] lengths;   // per batch row, or null when built from a mask
    private final boolean[] masked; // [batch · keys] from a mask, or null
    private final int batch, keys;

    private KeyPadding(int[] lengths, boolean[] masked, int batch, int keys) {
        this.lengths = lengths;
        this.masked = masked;
        this.batch = batch;
        this.keys = keys;
    }

    /** Row b has {@code lengths[b]} real keys; the keys after them, however many there are, are padding. */
    public static KeyPadding lengths(int... lengths) {
        for (int len : lengths) if (len < 0) throw new IllegalArgumentException("key lengths must be >= 0, got " + Arrays.toString(lengths));
        return new KeyPadding(lengths.clone(), null, lengths.length, -1);
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
        return new KeyPadding(null, m, mask.size(0), mask.size(1));
    }

    /** Flags [batch · keys], true where key j of row b is padding; checks that the sizes fit. */
    boolean[] flags(int batchSize, int keyCount) {
        if (batchSize != batch) {
            throw new IllegalArgumentException("key padding covers " + batch + " batch rows, attention has " + batchSize);
        }
        if (masked != null) {
            if (keys != keyCount) throw new IllegalArgumentException("key padding mask covers " + keys + " keys, attention has " + keyCount);
            return masked;
        }
        boolean[] m = new boolean[batch * keyCount];
        for (int b = 0; b < batch; b++) {
            if (lengths[b] > keyCount) {
                throw new IllegalArgumentException("key length " + lengths[b] + " of row " + b + " exceeds the " + keyCount + " keys attended over");
            }
            Arrays.fill(m, b * keyCount + lengths[b], (b + 1) * keyCount, true);
        }
        return m;
    }
}
