package gradus.models;

import gradus.autograd.GradMode;
import gradus.kernels.AttentionKernel;
import gradus.kernels.LayerNormKernel;
import gradus.kernels.PackedWeight;
import gradus.kernels.Parallel;
import gradus.kernels.WeightProduct;
import gradus.kernels.VectorMath;
import gradus.nn.LayerNorm;
import gradus.nn.Linear;
import gradus.nn.TransformerEncoderBlock;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link Bert} prepared for inference: every projection weight packed once ({@link PackedWeight}; queries,
 * keys and values as one product, GELU applied inside the up-projection), attention reading the projections in place, no autograd.
 * It computes what {@code bert.forward} computes in eval mode. The projection weights are copied when
 * it is built (embeddings and LayerNorms are read from the model as they are): build a new one after the
 * weights change. Safe to use from several threads at once.
 */
public final class BertInference {
    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final Layer[] layers;
    private final ConcurrentLinkedQueue<Workspace> workspaces = new ConcurrentLinkedQueue<>();

    /**
     * One encoder layer's weight products (any storage: packed float32, int8, int4, bf16…), with its biases and
     * norms (read, never changed); {@code qkv} is the queries', keys' and values' weights stacked [3H, H].
     */
    public record Layer(WeightProduct qkv, float[] qkvBias, WeightProduct out, float[] outBias, LayerNorm norm1,
                        WeightProduct up, float[] upBias, WeightProduct down, float[] downBias, LayerNorm norm2) {}

    public BertInference(Bert bert) {
        this(bert.bertConfig(), bert.embeddings(), packed(bert));
    }

    /** Runs {@code layers} after {@code embeddings} (read as they are, in eval mode). */
    public BertInference(BertConfig config, BertEmbeddings embeddings, List<Layer> layers) {
        if (layers.size() != config.numHiddenLayers()) {
            throw new IllegalArgumentException("BertInference needs " + config.numHiddenLayers() + " layers, got " + layers.size());
        }
        this.config = config;
        this.embeddings = embeddings;
        this.layers = layers.toArray(Layer[]::new);
    }

    private static List<Layer> packed(Bert bert) {
        List<Layer> layers = new java.util.ArrayList<>();
        for (TransformerEncoderBlock b : bert.layers()) {
            var att = b.selfAttn();
            Linear q = att.qProj(), k = att.kProj(), v = att.vProj();
            float[] qkv = concat(q.weight(), k.weight(), v.weight()), qkvBias = concat(q.bias(), k.bias(), v.bias());
            int h = bert.bertConfig().hiddenSize();
            layers.add(new Layer(PackedWeight.of(qkv, 0, 3 * h, h), qkvBias, pack(att.outProj()), att.outProj().bias().toArray(),
                    b.norm1(), pack(b.linear1()), b.linear1().bias().toArray(), pack(b.linear2()), b.linear2().bias().toArray(), b.norm2()));
        }
        return layers;
    }

    public BertConfig config() {
        return config;
    }

    /** The last hidden state [B, T, H], as {@link Bert#forward(IntTensor, IntTensor, IntTensor)} in eval mode. */
    public Tensor forward(IntTensor ids, IntTensor typeIds, IntTensor attentionMask) {
        try (var g = GradMode.noGrad()) {
            if (embeddings.isTraining()) throw new IllegalStateException("BertInference runs the Bert in eval mode (no dropout); call bert.eval() first");
            int b = ids.size(0), t = ids.size(1), h = config.hiddenSize(), rows = b * t;
            boolean[] masked = keyMask(ids, attentionMask);
            // The hidden state, updated in place layer after layer; it becomes the result.
            float[] x = embeddings.inferenceForward(ids, typeIds);
            Workspace w = takeWorkspace(rows);
            try {
                for (Layer l : layers) {
                    linear(l.qkv, l.qkvBias, x, rows, false, w.qkv);
                    attention(w.qkv, b, t, masked, w.merged);
                    linear(l.out, l.outBias, w.merged, rows, false, w.projected);
                    addAndNormalize(w.projected, x, l.norm1, rows);
                    linear(l.up, l.upBias, x, rows, true, w.hidden);
                    linear(l.down, l.downBias, w.hidden, rows, false, w.projected);
                    addAndNormalize(w.projected, x, l.norm2, rows);
                }
            } finally {
                // Calls on more threads than cores allocate their own; buffers for outsized batches are not held on to.
                if (workspaces.size() < Parallel.threads() && w.floats() <= MAX_POOLED_FLOATS) workspaces.offer(w);
            }
            return Tensor.of(x, b, t, h);
        }
    }

    /**
     * The buffers of one forward pass, kept between calls: a 32×128 batch through MiniLM needs 56 MB of
     * them, and fresh arrays for every layer cost a zeroing pass each (about 600 MB per call).
     */
    private static final class Workspace {
        float[] qkv = new float[0], merged = qkv, projected = qkv, hidden = qkv;

        long floats() {
            return (long) qkv.length + merged.length + projected.length + hidden.length;
        }
    }

    /** 64 MB: a 32×128 batch through MiniLM (14M floats) is kept, a 64×512 one (113M) is not. */
    private static final long MAX_POOLED_FLOATS = 16L << 20;

    private Workspace takeWorkspace(int rows) {
        Workspace w = workspaces.poll();
        if (w == null) w = new Workspace();
        int h = config.hiddenSize(), inter = layers.length == 0 ? 0 : layers[0].up.outFeatures();
        if (w.merged.length < rows * h) {
            w.qkv = new float[rows * 3 * h];
            w.merged = new float[rows * h];
            w.projected = new float[rows * h];
            w.hidden = new float[rows * inter];
        }
        return w;
    }

    /** x = LayerNorm(y + x), row by row, in place. */
    private void addAndNormalize(float[] y, float[] x, LayerNorm norm, int rows) {
        int h = config.hiddenSize();
        float[] gamma = norm.weight().contiguousData(), beta = norm.bias().contiguousData();
        float eps = norm.eps();
        Parallel.Range body = (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                VectorMath.add(y, r * h, x, r * h, x, r * h, h);
                LayerNormKernel.normalize(x, r * h, h, eps, gamma, beta, x, r * h, null, null, r);
            }
        };
        // Split from about 4K values a thread: the worker still spins from the product before, so a hand-off costs about a microsecond.
        Parallel.forRange(rows, Math.max(1, 4096 / h), body);
    }

    /**
     * Softmax attention of every head over the [rows, 3h] projections (q, k, v of head j are columns
     * j·d, h + j·d and 2h + j·d), merged back to [rows, h]; the heads are split over threads.
     */
    private void attention(float[] qkv, int b, int t, boolean[] masked, float[] merged) {
        int h = config.hiddenSize(), heads = config.numAttentionHeads(), d = config.headSize(), ld = 3 * h;
        var shape = new AttentionKernel.Shape(b, heads, t, t, d, d, (float) (1.0 / Math.sqrt(d)), false, masked);
        AttentionKernel.forward(shape, AttentionKernel.Operand.tokenMajor(qkv, 0, t, ld, d), AttentionKernel.Operand.tokenMajor(qkv, h, t, ld, d),
                AttentionKernel.Operand.tokenMajor(qkv, 2 * h, t, ld, d), null, null, AttentionKernel.Operand.tokenMajor(merged, 0, t, h, d));
    }

    /** y = x·Wᵀ + bias for x [rows, in], into the first rows·out values of y, then GELU if asked. */
    private static void linear(WeightProduct w, float[] bias, float[] x, int rows, boolean gelu, float[] y) {
        w.multiply(rows, x, 0, w.inFeatures(), bias, gelu, y, 0, w.outFeatures());
    }

    /** Padding flags [B·T] from a 0/1 attention mask, or null when every token is real. */
    private static boolean[] keyMask(IntTensor ids, IntTensor mask) {
        if (mask == null) return null;
        if (!Arrays.equals(mask.shape(), ids.shape())) {
            throw new IllegalArgumentException("attention mask " + Shape.str(mask.shape()) + " must have the shape of the ids " + Shape.str(ids.shape()));
        }
        int[] m = mask.data();
        boolean[] masked = new boolean[m.length];
        boolean any = false;
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0 && m[i] != 1) throw new IllegalArgumentException("attention mask must hold 0 and 1, got " + m[i]);
            masked[i] = m[i] == 0;
            any |= masked[i];
        }
        return any ? masked : null;
    }

    private static PackedWeight pack(Linear l) {
        Tensor w = l.weight().contiguous();
        return PackedWeight.of(w.data(), w.offset(), w.size(0), w.size(1));
    }

    private static float[] concat(Tensor... parts) {
        int total = 0;
        for (Tensor p : parts) total += p.numel();
        float[] out = new float[total];
        int at = 0;
        for (Tensor p : parts) {
            float[] v = p.toArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }
}
