package gradus.nn;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of earlier tokens, per attention layer, for incremental decoding: each step runs
 * only the new tokens and attends over everything cached. Buffers [B, H, capacity, d] are allocated
 * on first use and filled in place. For inference: cached tensors carry no gradient.
 */
public final class KVCache {
    private final int capacity;
    private final List<Layer> layers = new ArrayList<>();

    /** A cache for {@code layers} attention layers of up to {@code capacity} tokens each. */
    public KVCache(int layers, int capacity) {
        if (layers <= 0 || capacity <= 0) throw new IllegalArgumentException("KVCache needs positive layers and capacity, got " + layers + ", " + capacity);
        this.capacity = capacity;
        for (int i = 0; i < layers; i++) this.layers.add(new Layer());
    }

    public Layer layer(int i) {
        return layers.get(i);
    }

    public int layers() {
        return layers.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Tokens cached so far (that of the first layer; all layers advance together in a model). */
    public int length() {
        return layers.get(0).length;
    }

    /** Forgets every cached token (the buffers are kept for reuse). */
    public void clear() {
        for (Layer l : layers) l.length = 0;
    }

    /** One attention layer's cached keys and values. */
    public final class Layer {
        private float[] keys, values;
        private int batch, heads, keyDim, valueDim, length;

        private Layer() {}

        public int length() {
            return length;
        }

        /**
         * Appends k [B, H, T, d] and v [B, H, T, dv] and returns all cached keys and values
         * [B, H, length, d] and [B, H, length, dv] (views of the buffers, valid until the next append).
         */
        public Tensor[] append(Tensor k, Tensor v) {
            int b = k.size(0), h = k.size(1), t = k.size(2), d = k.size(3), dv = v.size(3);
            if (keys == null) {
                batch = b;
                heads = h;
                keyDim = d;
                valueDim = dv;
                keys = new float[b * h * capacity * d];
                values = new float[b * h * capacity * dv];
            } else if (b != batch || h != heads || d != keyDim || dv != valueDim) {
                throw new IllegalArgumentException("KV cache holds [" + batch + ", " + heads + ", *, " + keyDim + "] keys, got " + Shape.str(k.shape()));
            }
            if (length + t > capacity) {
                throw new IllegalStateException("KV cache full: " + length + " cached + " + t + " new tokens exceed its capacity of "
                        + capacity + "; clear it and start again from the last tokens");
            }
            Tensor kb = Tensor.of(keys, b, h, capacity, d), vb = Tensor.of(values, b, h, capacity, dv);
            kb.narrow(2, length, t).copyFrom(k.detach());
            vb.narrow(2, length, t).copyFrom(v.detach());
            length += t;
            return new Tensor[]{kb.narrow(2, 0, length), vb.narrow(2, 0, length)};
        }
    }
}
