package gradus.models;

import gradus.autograd.GradMode;
import gradus.kernels.AttentionKernel;
import gradus.kernels.GeluKernel;
import gradus.kernels.PackedWeight;
import gradus.kernels.Parallel;
import gradus.kernels.VectorMath;
import gradus.nn.F;
import gradus.nn.LayerNorm;
import gradus.nn.Linear;
import gradus.nn.TransformerEncoderBlock;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * A {@link Bert} prepared for inference: every projection weight packed once for the GEMM kernel
 * (queries, keys and values as one product), attention reading the projections in place, no autograd.
 * It computes what {@code bert.forward} computes in eval mode. The projection weights are copied when
 * it is built (embeddings and LayerNorms are read from the model as they are): build a new one after the
 * weights change. Safe to use from several threads at once.
 */
public final class BertInference {
    /**
     * Up to this many tokens in a batch, attention and GELU run on the calling thread, as the packed
     * products do: waking a worker costs more than it saves on such small work (a short sentence).
     */
    private static final int INLINE_ROWS = 64;
    private final Bert bert;
    private final BertConfig config;
    private final Layer[] layers;

    /** One encoder layer's packed weights, with its biases and norms (read, never changed). */
    private record Layer(PackedWeight qkv, float[] qkvBias, PackedWeight out, float[] outBias, LayerNorm norm1,
                         PackedWeight up, float[] upBias, PackedWeight down, float[] downBias, LayerNorm norm2) {}

    public BertInference(Bert bert) {
        this.bert = bert;
        this.config = bert.bertConfig();
        List<TransformerEncoderBlock> blocks = bert.layers();
        this.layers = new Layer[blocks.size()];
        for (int i = 0; i < layers.length; i++) {
            TransformerEncoderBlock b = blocks.get(i);
            var att = b.selfAttn();
            Linear q = att.qProj(), k = att.kProj(), v = att.vProj();
            float[] qkv = concat(q.weight(), k.weight(), v.weight()), qkvBias = concat(q.bias(), k.bias(), v.bias());
            int h = config.hiddenSize();
            layers[i] = new Layer(PackedWeight.of(qkv, 0, 3 * h, h), qkvBias, pack(att.outProj()), att.outProj().bias().toArray(),
                    b.norm1(), pack(b.linear1()), b.linear1().bias().toArray(), pack(b.linear2()), b.linear2().bias().toArray(), b.norm2());
        }
    }

    public BertConfig config() {
        return config;
    }

    /** The last hidden state [B, T, H], as {@link Bert#forward(IntTensor, IntTensor, IntTensor)} in eval mode. */
    public Tensor forward(IntTensor ids, IntTensor typeIds, IntTensor attentionMask) {
        try (var g = GradMode.noGrad()) {
            if (bert.isTraining()) throw new IllegalStateException("BertInference runs the Bert in eval mode (no dropout); call bert.eval() first");
            Tensor x = bert.embeddings().forward(ids, typeIds);
            int b = ids.size(0), t = ids.size(1), h = config.hiddenSize();
            boolean[] masked = keyMask(ids, attentionMask);
            int rows = b * t;
            boolean inline = rows <= INLINE_ROWS;
            for (Layer l : layers) {
                float[] in = dense(x);
                float[] qkv = linear(l.qkv, l.qkvBias, in, rows);
                float[] merged = attention(qkv, b, t, masked, inline);
                float[] att = linear(l.out, l.outBias, merged, rows);
                addInPlace(att, in);
                x = l.norm1.forward(Tensor.of(att, b, t, h));
                float[] up = gelu(linear(l.up, l.upBias, dense(x), rows), inline);
                float[] down = linear(l.down, l.downBias, up, rows);
                addInPlace(down, dense(x));
                x = l.norm2.forward(Tensor.of(down, b, t, h));
            }
            return x;
        }
    }

    /**
     * Softmax attention of every head over the [rows, 3h] projections (q, k, v of head j are columns
     * j·d, h + j·d and 2h + j·d), merged back to [rows, h]. Inline: head by head on this thread.
     */
    private float[] attention(float[] qkv, int b, int t, boolean[] masked, boolean inline) {
        int h = config.hiddenSize(), heads = config.numAttentionHeads(), d = config.headSize(), ld = 3 * h;
        float scale = (float) (1.0 / Math.sqrt(d));
        float[] merged = new float[b * t * h];
        if (!inline) {
            var shape = new AttentionKernel.Shape(b, heads, t, t, d, d, scale, false, masked);
            AttentionKernel.forward(shape, new AttentionKernel.Operand(qkv, 0, t * ld, d, ld), new AttentionKernel.Operand(qkv, h, t * ld, d, ld),
                    new AttentionKernel.Operand(qkv, 2 * h, t * ld, d, ld), null, null, new AttentionKernel.Operand(merged, 0, t * h, d, h));
            return merged;
        }
        // One (row, head) pair per call: the kernel then has nothing to split over threads.
        for (int r = 0; r < b; r++) {
            var shape = new AttentionKernel.Shape(1, 1, t, t, d, d, scale, false, masked == null ? null : Arrays.copyOfRange(masked, r * t, (r + 1) * t));
            for (int j = 0; j < heads; j++) {
                int at = r * t * ld + j * d;
                AttentionKernel.forward(shape, new AttentionKernel.Operand(qkv, at, 0, 0, ld), new AttentionKernel.Operand(qkv, at + h, 0, 0, ld),
                        new AttentionKernel.Operand(qkv, at + 2 * h, 0, 0, ld), null, null,
                        new AttentionKernel.Operand(merged, r * t * h + j * d, 0, 0, h));
            }
        }
        return merged;
    }

    private static float[] gelu(float[] x, boolean inline) {
        if (!inline) return F.gelu(Tensor.of(x, x.length)).data();
        GeluKernel.forward(x, 0, x, 0, x.length); // in place: the input is this method's own buffer
        return x;
    }

    /** x·Wᵀ + bias for x [rows, in]: the bias written first, the product added onto it. */
    private static float[] linear(PackedWeight w, float[] bias, float[] x, int rows) {
        int out = w.outFeatures();
        float[] y = new float[rows * out];
        for (int r = 0; r < rows; r++) System.arraycopy(bias, 0, y, r * out, out);
        w.multiply(rows, x, 0, w.inFeatures(), 1f, y, 0, out);
        return y;
    }

    /** The values of x in row-major order: its own array when it starts at 0 and is contiguous, else a copy. */
    private static float[] dense(Tensor x) {
        return x.isContiguous() && x.offset() == 0 && x.data().length == x.numel() ? x.data() : x.toArray();
    }

    private static void addInPlace(float[] y, float[] x) {
        Parallel.forRange(y.length, 1 << 15, (i0, i1) -> VectorMath.add(y, i0, x, i0, y, i0, i1 - i0));
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
