package gradus.models;

import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Locale;

/**
 * Turns an encoder's token vectors [B, T, H] into one vector per sentence [B, H]: the mean over
 * real tokens (sentence-transformers' default) or the first token ([CLS]). Differentiable, so heads
 * can be trained on top.
 */
public enum SentencePooling {
    MEAN, CLS;

    /** The pooled vectors [B, H]; {@code mask} [B, T] marks real tokens with 1 (null: all real). */
    public Tensor pool(Tensor hidden, IntTensor mask) {
        return this == CLS ? cls(hidden) : mean(hidden, mask);
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** MEAN or CLS from "mean" or "cls". */
    public static SentencePooling parse(String s) {
        for (SentencePooling p : values()) if (p.key().equalsIgnoreCase(s.trim())) return p;
        throw new IllegalArgumentException("pooling must be 'mean' or 'cls', got '" + s + "'");
    }

    /** The mean of hidden [B, T, H] over the positions where mask [B, T] is 1 (all positions when mask is null). */
    public static Tensor mean(Tensor hidden, IntTensor mask) {
        if (hidden.dim() != 3) throw new IllegalArgumentException("pooling expects hidden states [batch, time, hidden], got " + Shape.str(hidden.shape()));
        if (mask == null) return hidden.mean(1, false);
        if (mask.dim() != 2 || mask.size(0) != hidden.size(0) || mask.size(1) != hidden.size(1)) {
            throw new IllegalArgumentException("attention mask " + Shape.str(mask.shape()) + " does not fit hidden states " + Shape.str(hidden.shape()));
        }
        Tensor m = mask.toFloat().unsqueeze(-1);
        // At least one token counted, as sentence-transformers clamps, so an all-padding row gives zeros, not NaN.
        return hidden.mul(m).sum(1, false).div(m.sum(1, false).clamp(1e-9f, Float.MAX_VALUE));
    }

    /** The first position's vector, hidden[:, 0, :]. */
    public static Tensor cls(Tensor hidden) {
        if (hidden.dim() != 3) throw new IllegalArgumentException("pooling expects hidden states [batch, time, hidden], got " + Shape.str(hidden.shape()));
        return hidden.select(1, 0);
    }

    /** Each row of x [B, H] divided by its Euclidean length (at least 1e-12, as torch's F.normalize). */
    public static Tensor l2Normalize(Tensor x) {
        return x.div(x.mul(x).sum(-1, true).sqrt().clamp(1e-12f, Float.MAX_VALUE));
    }
}
