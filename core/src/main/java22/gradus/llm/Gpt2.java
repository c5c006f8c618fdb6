package gradus.llm;

import gradus.kernels.Parallel;
import gradus.files.FileFormatException;
import gradus.io.gguf.GgmlQuantization;
import gradus.io.gguf.GgufFile;
import gradus.io.gguf.GgufTensor;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The GPT-2 architecture run from a GGUF file (llama.cpp's "gpt2" tensors and {@code gpt2.*} keys): learned
 * positions added to the token embeddings, pre-LayerNorm blocks with a fused QKV projection (all projections
 * biased), multi-head causal attention without rotation, a GELU feed-forward, and the output projection tied to the
 * embeddings when the file has no {@code output.weight}. GELU is computed as llama.cpp's CPU code does: through
 * its table of F16 inputs and F16 results (the tanh approximation).
 */
public final class Gpt2 implements DecoderModel {
    private static final String P = "gpt2.";

    private final GgufFile gguf;
    private final int dim, layers, heads, ffnDim, vocab, contextLength;
    private final float eps;
    private final WeightMatrix embedding, positions, output;
    private final float[] outputNorm, outputNormBias;
    private final Layer[] blocks;

    private record Layer(float[] attnNorm, float[] attnNormBias, WeightMatrix qkv, float[] qkvBias, WeightMatrix wo, float[] woBias,
                         float[] ffnNorm, float[] ffnNormBias, WeightMatrix up, float[] upBias, WeightMatrix down, float[] downBias) {}

    /** Reads and checks the configuration and the tensors' shapes; the weights stay in the mapping. */
    Gpt2(GgufFile gguf) throws FileFormatException {
        this.gguf = gguf;
        String arch = gguf.getString("general.architecture");
        if (!arch.equals("gpt2")) throw new FileFormatException(gguf.path(), "general.architecture: " + arch + " is not gpt2");
        dim = positive(P + "embedding_length");
        layers = positive(P + "block_count");
        heads = positive(P + "attention.head_count");
        ffnDim = positive(P + "feed_forward_length");
        contextLength = positive(P + "context_length");
        eps = gguf.getFloat(P + "attention.layer_norm_epsilon", 1e-5f);
        if (dim % heads != 0) throw new FileFormatException(gguf.path(), "metadata gpt2.attention.head_count: " + heads + " heads must divide the width " + dim);
        if (gguf.getInt(P + "attention.head_count_kv", heads) != heads) {
            throw new FileFormatException(gguf.path(), "metadata gpt2.attention.head_count_kv: grouped-query attention is not supported for gpt2");
        }
        if (layers > gguf.tensors().size() / 12) {
            throw new FileFormatException(gguf.path(), "metadata gpt2.block_count: " + layers + " layers need " + 12L * layers + " tensors, the file has " + gguf.tensors().size());
        }
        GgufTensor e = gguf.tensor("token_embd.weight");
        if (e.dims() != 2 || e.dim(0) != dim || e.dim(1) > Integer.MAX_VALUE) {
            throw new FileFormatException(gguf.path(), "tensor token_embd.weight: expected shape [" + dim + ", vocab]");
        }
        vocab = (int) e.dim(1);
        Path p = gguf.path();
        embedding = WeightMatrix.of(e, vocab, dim, p);
        positions = WeightMatrix.of(gguf.tensor("position_embd.weight"), contextLength, dim, p);
        output = gguf.tensors().containsKey("output.weight") ? WeightMatrix.of(gguf.tensor("output.weight"), vocab, dim, p) : embedding;
        outputNorm = vector("output_norm.weight", dim);
        outputNormBias = vector("output_norm.bias", dim);
        blocks = new Layer[layers];
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            blocks[l] = new Layer(vector(b + "attn_norm.weight", dim), vector(b + "attn_norm.bias", dim),
                    matrix(b + "attn_qkv.weight", 3 * dim, dim), vector(b + "attn_qkv.bias", 3 * dim),
                    matrix(b + "attn_output.weight", dim, dim), vector(b + "attn_output.bias", dim),
                    vector(b + "ffn_norm.weight", dim), vector(b + "ffn_norm.bias", dim),
                    matrix(b + "ffn_up.weight", ffnDim, dim), vector(b + "ffn_up.bias", ffnDim),
                    matrix(b + "ffn_down.weight", dim, ffnDim), vector(b + "ffn_down.bias", dim));
        }
    }

    @Override
    public String toString() {
        return "width " + dim + ", " + layers + " layers, " + heads + " heads, feed-forward " + ffnDim + ", vocabulary " + vocab
                + ", context " + contextLength + (output == embedding ? ", tied embeddings" : "");
    }

    public static Gpt2 open(Path file) throws IOException {
        GgufFile gguf = GgufFile.open(file);
        try {
            return new Gpt2(gguf);
        } catch (IOException | RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    @Override
    public GgufFile gguf() {
        return gguf;
    }

    @Override
    public int vocab() {
        return vocab;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public Sequence newSequence(int capacity) {
        if (capacity <= 0 || capacity > contextLength) throw new IllegalArgumentException("capacity must be 1.." + contextLength + ", got " + capacity);
        return new State(capacity);
    }

    @Override
    public float[] forward(Sequence sequence, int token) {
        if (!(sequence instanceof State s)) throw new IllegalArgumentException("not a sequence of this model");
        if (token < 0 || token >= vocab) throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + vocab);
        if (s.position >= s.capacity) throw new IllegalStateException("the sequence is full (" + s.capacity + " tokens)");
        int pos = s.position;
        embedding.row(token, s.x);
        positions.row(pos, s.xb);
        add(s.x, s.xb);
        for (int l = 0; l < layers; l++) {
            Layer b = blocks[l];
            layerNorm(s.x, b.attnNorm, b.attnNormBias, s.xb);
            b.qkv.multiply(s.xb, s.qkv);
            add(s.qkv, b.qkvBias);
            System.arraycopy(s.qkv, dim, s.keys[l], pos * dim, dim);
            System.arraycopy(s.qkv, 2 * dim, s.values[l], pos * dim, dim);
            attend(s, l, pos);
            b.wo.multiply(s.attention, s.xb);
            add(s.xb, b.woBias);
            add(s.x, s.xb);
            layerNorm(s.x, b.ffnNorm, b.ffnNormBias, s.xb);
            b.up.multiply(s.xb, s.hidden);
            add(s.hidden, b.upBias);
            for (int i = 0; i < ffnDim; i++) s.hidden[i] = gelu(s.hidden[i]);
            b.down.multiply(s.hidden, s.xb);
            add(s.xb, b.downBias);
            add(s.x, s.xb);
        }
        layerNorm(s.x, outputNorm, outputNormBias, s.xb);
        float[] logits = new float[vocab];
        output.multiply(s.xb, logits);
        s.position++;
        return logits;
    }

    private void attend(State s, int layer, int pos) {
        int hd = dim / heads;
        float scale = (float) (1 / Math.sqrt(hd));
        float[] keys = s.keys[layer], values = s.values[layer];
        Parallel.forRange(heads, 1, (from, to) -> {
            float[] scores = new float[pos + 1];
            for (int h = from; h < to; h++) {
                int off = h * hd;
                float max = Float.NEGATIVE_INFINITY;
                for (int t = 0; t <= pos; t++) {
                    float dot = 0;
                    for (int i = 0; i < hd; i++) dot += s.qkv[off + i] * keys[t * dim + off + i];
                    scores[t] = dot * scale;
                    max = Math.max(max, scores[t]);
                }
                float sum = 0;
                for (int t = 0; t <= pos; t++) sum += scores[t] = (float) Math.exp(scores[t] - max);
                java.util.Arrays.fill(s.attention, off, off + hd, 0f);
                for (int t = 0; t <= pos; t++) {
                    float w = scores[t] / sum;
                    for (int i = 0; i < hd; i++) s.attention[off + i] += w * values[t * dim + off + i];
                }
            }
        });
    }

    /** ggml's norm: mean and variance summed in double, then scaled, times the weight, plus the bias. */
    private void layerNorm(float[] x, float[] weight, float[] bias, float[] out) {
        double sum = 0;
        for (float v : x) sum += v;
        float mean = (float) (sum / x.length);
        double squares = 0;
        for (float v : x) squares += (double) (v - mean) * (v - mean);
        float scale = (float) (1 / Math.sqrt((float) (squares / x.length) + eps));
        for (int i = 0; i < x.length; i++) out[i] = (x[i] - mean) * scale * weight[i] + bias[i];
    }

    /** llama.cpp's CPU GELU: 0 below −10, identity above 10, else the F16-rounded tanh approximation of the F16-rounded input. */
    static float gelu(float x) {
        if (x <= -10f) return 0f;
        if (x >= 10f) return x;
        float h = Float.float16ToFloat(Float.floatToFloat16(x));
        float g = 0.5f * h * (1f + (float) Math.tanh(0.7978845608028654f * h * (1f + 0.044715f * h * h)));
        return Float.float16ToFloat(Float.floatToFloat16(g));
    }

    private static void add(float[] x, float[] delta) {
        for (int i = 0; i < x.length; i++) x[i] += delta[i];
    }

    private int positive(String key) throws FileFormatException {
        int v = gguf.getInt(key);
        if (v <= 0) throw new FileFormatException(gguf.path(), "metadata " + key + ": must be positive, got " + v);
        return v;
    }

    private float[] vector(String name, int length) throws FileFormatException {
        GgufTensor t = gguf.tensor(name);
        if (t.dims() != 1 || t.dim(0) != length) {
            throw new FileFormatException(gguf.path(), "tensor " + name + ": expected shape [" + length + "], got " + java.util.Arrays.toString(t.shape()));
        }
        float[] out = new float[length];
        GgmlQuantization.decode(t.type(), t.data(), 0, length, out, 0);
        return out;
    }

    private WeightMatrix matrix(String name, int rows, int cols) throws FileFormatException {
        return WeightMatrix.of(gguf.tensor(name), rows, cols, gguf.path());
    }

    @Override
    public void close() {
        gguf.close();
    }

    private final class State implements Sequence {
        private final int capacity;
        private int position;
        private final float[][] keys, values;
        private final float[] x = new float[dim], xb = new float[dim], qkv = new float[3 * dim], attention = new float[dim], hidden = new float[ffnDim];

        State(int capacity) {
            this.capacity = capacity;
            keys = new float[layers][capacity * dim];
            values = new float[layers][capacity * dim];
        }

        @Override
        public int position() {
            return position;
        }

        @Override
        public int capacity() {
            return capacity;
        }
    }
}
