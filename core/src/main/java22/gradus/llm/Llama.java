package gradus.llm;

import gradus.files.FileFormatException;
import gradus.io.gguf.GgmlQuantization;
import gradus.io.gguf.GgufFile;
import gradus.io.gguf.GgufTensor;
import gradus.kernels.Parallel;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Llama-family decoder (Llama, Mistral, Qwen2, Qwen3; see {@link LlamaConfig.Family}) run from a GGUF file, with
 * the weights read in place from the mapping: RMSNorm, rotary embeddings (adjacent pairs, llama.cpp's "normal"
 * rope, with {@code rope_freqs} divisors for Llama-3 scaling; the two halves of each head for Qwen), grouped-query
 * attention over a preallocated KV cache (a ring of {@code sliding_window} positions for Mistral), and a SwiGLU
 * feed-forward. One token per {@link #forward} call; {@link Session} holds a sequence's cache and position.
 */
public final class Llama implements DecoderModel {
    private final GgufFile gguf;
    private final TensorSource source;
    private final AutoCloseable owner;
    private final LlamaConfig config;
    private final WeightMatrix embedding, output;
    private final float[] outputNorm;
    private final Layer[] layers;
    private final float[] inverseFrequencies;

    /** qBias, kBias, vBias (Qwen2) and qNorm, kNorm (Qwen3, one weight per head element) are null where the family has none. */
    private record Layer(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                         float[] qBias, float[] kBias, float[] vBias, float[] qNorm, float[] kNorm,
                         float[] ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down) {}

    /** The tensors of a model by their GGUF names, from a GGUF file or a Hugging Face folder ({@link HfCheckpoint}). */
    interface TensorSource {
        GgufTensor tensor(String name) throws FileFormatException;

        boolean has(String name);

        Path path();
    }

    /** {@code gguf} is null for a model read from elsewhere; {@code owner} is closed with the model. */
    Llama(LlamaConfig config, TensorSource source, GgufFile gguf, AutoCloseable owner) throws FileFormatException {
        this.gguf = gguf;
        this.source = source;
        this.owner = owner;
        this.config = config;
        LlamaConfig c = config;
        Path p = source.path();
        embedding = WeightMatrix.of(source.tensor("token_embd.weight"), c.vocab(), c.dim(), p);
        output = source.has("output.weight")
                ? WeightMatrix.of(source.tensor("output.weight"), c.vocab(), c.dim(), p) : embedding; // tied embeddings
        outputNorm = vector("output_norm.weight", c.dim());
        layers = new Layer[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String b = "blk." + l + ".";
            boolean bias = c.family().qkvBias(), norm = c.family().qkNorm();
            layers[l] = new Layer(vector(b + "attn_norm.weight", c.dim()),
                    matrix(b + "attn_q.weight", c.qDim(), c.dim()), matrix(b + "attn_k.weight", c.kvDim(), c.dim()),
                    matrix(b + "attn_v.weight", c.kvDim(), c.dim()), matrix(b + "attn_output.weight", c.dim(), c.qDim()),
                    bias ? vector(b + "attn_q.bias", c.qDim()) : null, bias ? vector(b + "attn_k.bias", c.kvDim()) : null,
                    bias ? vector(b + "attn_v.bias", c.kvDim()) : null,
                    norm ? vector(b + "attn_q_norm.weight", c.headDim()) : null, norm ? vector(b + "attn_k_norm.weight", c.headDim()) : null,
                    vector(b + "ffn_norm.weight", c.dim()), matrix(b + "ffn_gate.weight", c.ffnDim(), c.dim()),
                    matrix(b + "ffn_up.weight", c.ffnDim(), c.dim()), matrix(b + "ffn_down.weight", c.dim(), c.ffnDim()));
        }
        inverseFrequencies = new float[c.ropeDims() / 2];
        float[] divisors = source.has("rope_freqs.weight") ? vector("rope_freqs.weight", c.ropeDims() / 2) : null;
        for (int i = 0; i < inverseFrequencies.length; i++) {
            double f = Math.pow(c.ropeTheta(), -2.0 * i / c.ropeDims()) / c.ropeScale();
            inverseFrequencies[i] = (float) (divisors == null ? f : f / divisors[i]);
        }
    }

    /** Opens {@code file}; the model reads its weights from the mapping until {@link #close()}. */
    public static Llama open(Path file) throws IOException {
        GgufFile gguf = GgufFile.open(file);
        try {
            return new Llama(LlamaConfig.of(gguf), new TensorSource() {
                public GgufTensor tensor(String name) throws FileFormatException {
                    return gguf.tensor(name);
                }

                public boolean has(String name) {
                    return gguf.tensors().containsKey(name);
                }

                public Path path() {
                    return gguf.path();
                }
            }, gguf, gguf);
        } catch (IOException | RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    public LlamaConfig config() {
        return config;
    }

    @Override
    public GgufFile gguf() {
        return gguf;
    }

    @Override
    public int vocab() {
        return config.vocab();
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    @Override
    public Sequence newSequence(int capacity) {
        return newSession(capacity);
    }

    @Override
    public float[] forward(Sequence sequence, int token) {
        if (!(sequence instanceof Session s)) throw new IllegalArgumentException("not a sequence of this model");
        return forward(s, token);
    }

    /** A new sequence with room for {@code capacity} tokens (at most the model's context length). */
    public Session newSession(int capacity) {
        if (capacity <= 0 || capacity > config.contextLength()) {
            throw new IllegalArgumentException("capacity must be 1.." + config.contextLength() + ", got " + capacity);
        }
        return new Session(config, capacity);
    }

    /** Appends {@code token} at the session's next position and returns the logits for the position after it. */
    public float[] forward(Session s, int token) {
        LlamaConfig c = config;
        if (token < 0 || token >= c.vocab()) throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + c.vocab());
        if (s.position >= s.capacity) throw new IllegalStateException("the session is full (" + s.capacity + " tokens)");
        int pos = s.position;
        embedding.row(token, s.x);
        for (int l = 0; l < c.layers(); l++) {
            Layer layer = layers[l];
            rmsNorm(s.x, layer.attnNorm, s.xb, c.rmsEps());
            layer.wq.multiply(s.xb, s.q);
            layer.wk.multiply(s.xb, s.k);
            layer.wv.multiply(s.xb, s.v);
            if (layer.qBias != null) {
                add(s.q, layer.qBias);
                add(s.k, layer.kBias);
                add(s.v, layer.vBias);
            }
            if (layer.qNorm != null) {
                normalizeHeads(s.q, layer.qNorm);
                normalizeHeads(s.k, layer.kNorm);
            }
            rotate(s.q, c.heads(), pos);
            rotate(s.k, c.kvHeads(), pos);
            int slot = pos % s.cacheLength;
            System.arraycopy(s.k, 0, s.keys[l], slot * c.kvDim(), c.kvDim());
            System.arraycopy(s.v, 0, s.values[l], slot * c.kvDim(), c.kvDim());
            attend(s, l, pos);
            layer.wo.multiply(s.attention, s.xb);
            add(s.x, s.xb);
            rmsNorm(s.x, layer.ffnNorm, s.xb, c.rmsEps());
            layer.gate.multiply(s.xb, s.gate);
            layer.up.multiply(s.xb, s.up);
            for (int i = 0; i < c.ffnDim(); i++) {
                float g = s.gate[i];
                s.gate[i] = g / (1f + (float) Math.exp(-g)) * s.up[i]; // SwiGLU: silu(gate) · up
            }
            layer.down.multiply(s.gate, s.xb);
            add(s.x, s.xb);
        }
        rmsNorm(s.x, outputNorm, s.xb, c.rmsEps());
        float[] logits = new float[c.vocab()];
        output.multiply(s.xb, logits);
        s.position++;
        return logits;
    }

    /**
     * Causal attention of each query head over its KV head's cached keys and values, heads split over the cores:
     * positions first..pos, where first is 0 or, with a sliding window W, pos − W + 1 (the token itself and the
     * W − 1 before it, as Mistral and llama.cpp count).
     */
    private void attend(Session s, int layer, int pos) {
        LlamaConfig c = config;
        int hd = c.headDim(), kvDim = c.kvDim(), group = c.heads() / c.kvHeads(), ring = s.cacheLength;
        int first = c.slidingWindow() > 0 ? Math.max(0, pos - c.slidingWindow() + 1) : 0, count = pos - first + 1;
        float scale = (float) (1 / Math.sqrt(hd));
        float[] keys = s.keys[layer], values = s.values[layer];
        Parallel.forRange(c.heads(), 1, (from, to) -> {
            float[] scores = new float[count];
            for (int h = from; h < to; h++) {
                int kvOffset = (h / group) * hd, qOffset = h * hd;
                float max = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < count; t++) {
                    int at = (first + t) % ring * kvDim + kvOffset;
                    float dot = 0;
                    for (int i = 0; i < hd; i++) dot += s.q[qOffset + i] * keys[at + i];
                    scores[t] = dot * scale;
                    max = Math.max(max, scores[t]);
                }
                float sum = 0;
                for (int t = 0; t < count; t++) sum += scores[t] = (float) Math.exp(scores[t] - max);
                java.util.Arrays.fill(s.attention, qOffset, qOffset + hd, 0f);
                for (int t = 0; t < count; t++) {
                    int at = (first + t) % ring * kvDim + kvOffset;
                    float w = scores[t] / sum;
                    for (int i = 0; i < hd; i++) s.attention[qOffset + i] += w * values[at + i];
                }
            }
        });
    }

    /**
     * Rotates each head's first ropeDims values by pos·θᵢ: pairs (2i, 2i+1) for Llama, (i, i + ropeDims/2) for the
     * NeoX layout of Qwen.
     */
    private void rotate(float[] vec, int heads, int pos) {
        int hd = config.headDim(), half = inverseFrequencies.length;
        boolean neox = config.neoxRope();
        for (int i = 0; i < half; i++) {
            double angle = (double) pos * inverseFrequencies[i];
            float cos = (float) Math.cos(angle), sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int at = h * hd + (neox ? i : 2 * i), other = neox ? at + half : at + 1;
                float a = vec[at], b = vec[other];
                vec[at] = a * cos - b * sin;
                vec[other] = a * sin + b * cos;
            }
        }
    }

    /** RMSNorm of each head of {@code vec} on its own, with the per-element weight shared by the heads (Qwen3). */
    private void normalizeHeads(float[] vec, float[] weight) {
        int hd = weight.length;
        for (int at = 0; at < vec.length; at += hd) {
            double squares = 0;
            for (int i = at; i < at + hd; i++) squares += (double) vec[i] * vec[i];
            float scale = (float) (1 / Math.sqrt(squares / hd + config.rmsEps()));
            for (int i = 0; i < hd; i++) vec[at + i] = vec[at + i] * scale * weight[i];
        }
    }

    private static void rmsNorm(float[] x, float[] weight, float[] out, float eps) {
        double squares = 0;
        for (float v : x) squares += (double) v * v;
        float scale = (float) (1 / Math.sqrt(squares / x.length + eps));
        for (int i = 0; i < x.length; i++) out[i] = x[i] * scale * weight[i];
    }

    private static void add(float[] x, float[] delta) {
        for (int i = 0; i < x.length; i++) x[i] += delta[i];
    }

    private float[] vector(String name, int length) throws FileFormatException {
        GgufTensor t = source.tensor(name);
        if (t.dims() != 1 || t.dim(0) != length) {
            throw new FileFormatException(source.path(), "tensor " + name + ": expected shape [" + length + "], got "
                    + java.util.Arrays.toString(t.shape()));
        }
        float[] out = new float[length];
        GgmlQuantization.decode(t.type(), t.data(), 0, length, out, 0);
        return out;
    }

    private WeightMatrix matrix(String name, int rows, int cols) throws FileFormatException {
        return WeightMatrix.of(source.tensor(name), rows, cols, source.path());
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + source.path() + ": " + e.getMessage(), e);
        }
    }

    /** One sequence: its position, its KV cache (preallocated for {@code capacity} tokens) and scratch buffers. */
    public static final class Session implements Sequence {
        private final int capacity, cacheLength;
        private int position;
        private final float[][] keys, values;
        private final float[] x, xb, q, k, v, attention, gate, up;

        private Session(LlamaConfig c, int capacity) {
            this.capacity = capacity;
            cacheLength = c.slidingWindow() > 0 ? Math.min(capacity, c.slidingWindow()) : capacity;
            keys = new float[c.layers()][cacheLength * c.kvDim()];
            values = new float[c.layers()][cacheLength * c.kvDim()];
            x = new float[c.dim()];
            xb = new float[c.dim()];
            q = new float[c.qDim()];
            attention = new float[c.qDim()];
            k = new float[c.kvDim()];
            v = new float[c.kvDim()];
            gate = new float[c.ffnDim()];
            up = new float[c.ffnDim()];
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
