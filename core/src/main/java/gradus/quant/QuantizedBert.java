package gradus.quant;

import gradus.config.Config;
import gradus.files.FileFormatException;
import gradus.io.Safetensors.Raw;
import gradus.kernels.WeightProduct;
import gradus.models.Bert;
import gradus.models.BertConfig;
import gradus.models.BertEmbeddings;
import gradus.models.BertInference;
import gradus.nn.LayerNorm;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.TransformerEncoderBlock;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Bert} encoder with every projection (queries, keys, values, attention output, both feed-forward
 * layers) stored compressed and run by {@link BertInference}; the word embeddings are stored compressed too
 * (int8 rows, or the 16-bit format) and decoded into the float table once, since a lookup reads one row;
 * position and type embeddings and the LayerNorms stay float32. Inference only. Tensor names are Bert's
 * state-dict names ({@code layers.0.self_attn.q_proj.qweight}, see {@link StoredWeights}).
 */
public final class QuantizedBert extends Module {
    private static final String[] PROJECTIONS = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "linear1", "linear2"};

    private final BertConfig config;
    private final Scheme scheme;
    private final int group;
    private final BertEmbeddings embeddings;
    private final WeightProduct wordTable;
    private final List<Map<String, QuantizedLinear>> layers;
    private final List<LayerNorm[]> norms;
    private final BertInference inference;

    private QuantizedBert(BertConfig config, Scheme scheme, int group, BertEmbeddings embeddings, WeightProduct wordTable,
                          List<Map<String, QuantizedLinear>> layers, List<LayerNorm[]> norms) {
        this.config = config;
        this.scheme = scheme;
        this.group = group;
        this.embeddings = registerModule("embeddings", embeddings);
        this.wordTable = wordTable;
        this.layers = layers;
        this.norms = norms;
        float[] word = new float[config.vocabSize() * config.hiddenSize()];
        for (int j = 0; j < config.vocabSize(); j++) StoredWeights.row(wordTable, j, word, j * config.hiddenSize());
        embeddings.stateDict().get("word.weight").copyFrom(Tensor.of(word, config.vocabSize(), config.hiddenSize()));
        List<BertInference.Layer> run = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Map<String, QuantizedLinear> l = layers.get(i);
            QuantizedLinear q = l.get(PROJECTIONS[0]), k = l.get(PROJECTIONS[1]), v = l.get(PROJECTIONS[2]);
            run.add(new BertInference.Layer(StoredWeights.stackRows(List.of(q.weight(), k.weight(), v.weight())),
                    concat(q.bias(), k.bias(), v.bias()), l.get(PROJECTIONS[3]).weight(), l.get(PROJECTIONS[3]).bias(), norms.get(i)[0],
                    l.get(PROJECTIONS[4]).weight(), l.get(PROJECTIONS[4]).bias(), l.get(PROJECTIONS[5]).weight(), l.get(PROJECTIONS[5]).bias(),
                    norms.get(i)[1]));
        }
        embeddings.eval();
        this.inference = new BertInference(config, embeddings, run);
    }

    /** {@code bert}'s weights in {@code scheme}; {@code bert}'s float embeddings and norms are copied, so the two stay independent. */
    public static QuantizedBert of(Bert bert, Scheme scheme, int group) {
        BertConfig config = bert.bertConfig();
        BertEmbeddings embeddings = new BertEmbeddings(config);
        embeddings.loadStateDict(bert.embeddings().stateDict());
        Tensor word = bert.embeddings().stateDict().get("word.weight").contiguous();
        Scheme tableScheme = scheme == Scheme.INT4 ? Scheme.INT8 : scheme;
        WeightProduct table = StoredWeights.quantize(tableScheme, word.data(), word.offset(), config.vocabSize(), config.hiddenSize(), 0);
        List<Map<String, QuantizedLinear>> layers = new ArrayList<>();
        List<LayerNorm[]> norms = new ArrayList<>();
        for (TransformerEncoderBlock b : bert.layers()) {
            Linear[] linears = {b.selfAttn().qProj(), b.selfAttn().kProj(), b.selfAttn().vProj(), b.selfAttn().outProj(), b.linear1(), b.linear2()};
            Map<String, QuantizedLinear> l = new LinkedHashMap<>();
            for (int i = 0; i < linears.length; i++) l.put(PROJECTIONS[i], QuantizedLinear.of(linears[i], scheme, group));
            layers.add(l);
            norms.add(new LayerNorm[]{copy(b.norm1()), copy(b.norm2())});
        }
        return new QuantizedBert(config, scheme, group, embeddings, table, layers, norms);
    }

    private static LayerNorm copy(LayerNorm n) {
        LayerNorm c = new LayerNorm(n.weight().shape(), n.eps());
        c.loadStateDict(n.stateDict());
        c.eval();
        return c;
    }

    public BertConfig bertConfig() {
        return config;
    }

    public Scheme scheme() {
        return scheme;
    }

    /** The last hidden state [B, T, H], as {@link Bert#forward(IntTensor, IntTensor, IntTensor)}. */
    public Tensor forward(IntTensor ids, IntTensor typeIds, IntTensor attentionMask) {
        return inference.forward(ids, typeIds, attentionMask);
    }

    @Override
    public Tensor forward(Tensor ids) {
        float[] v = ids.toArray();
        int[] ix = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) throw new IllegalArgumentException("QuantizedBert expects whole-number token ids, got " + v[i]);
            ix[i] = (int) v[i];
        }
        return forward(IntTensor.of(ix, ids.shape()), null, null);
    }

    /** Every stored tensor: the compressed word table and projections, float32 for the rest. */
    Map<String, Raw> tensors(String prefix) {
        Map<String, Raw> t = new LinkedHashMap<>();
        Map<String, Tensor> floats = embeddings.stateDict();
        t.putAll(StoredWeights.tensors(prefix + "embeddings.word", wordTable));
        floats.forEach((k, v) -> { if (!k.equals("word.weight")) t.put(prefix + "embeddings." + k, StoredWeights.f32(v.toArray(), v.shape())); });
        for (int i = 0; i < layers.size(); i++) {
            String p = prefix + "layers." + i + ".";
            layers.get(i).forEach((name, l) -> t.putAll(l.tensors(p + name)));
            for (int n = 0; n < 2; n++) {
                LayerNorm norm = norms.get(i)[n];
                t.put(p + "norm" + (n + 1) + ".weight", StoredWeights.f32(norm.weight().toArray(), norm.weight().shape()));
                t.put(p + "norm" + (n + 1) + ".bias", StoredWeights.f32(norm.bias().toArray(), norm.bias().shape()));
            }
        }
        return t;
    }

    /** Rebuilds a saved model from its {@link #config()} and tensors (taken out of {@code tensors}). */
    static QuantizedBert load(Config c, String prefix, Map<String, Raw> tensors, Path file) throws FileFormatException {
        c.allowOnly("type", "scheme", "group", "bert");
        BertConfig config = BertConfig.from(c.getSection("bert"));
        Scheme scheme = Scheme.parse(c.getString("scheme", ""));
        int group = c.getInt("group", 0), h = config.hiddenSize(), inter = config.intermediateSize();
        BertEmbeddings embeddings = new BertEmbeddings(config);
        Scheme tableScheme = scheme == Scheme.INT4 ? Scheme.INT8 : scheme;
        WeightProduct table = StoredWeights.fromTensors(tableScheme, prefix + "embeddings.word", tensors, config.vocabSize(), h, 0, file);
        Map<String, Tensor> floats = new LinkedHashMap<>();
        for (var e : embeddings.stateDict().entrySet()) {
            if (e.getKey().equals("word.weight")) continue;
            floats.put(e.getKey(), Tensor.of(StoredWeights.floats(tensors, prefix + "embeddings." + e.getKey(), file, e.getValue().shape()), e.getValue().shape()));
        }
        floats.put("word.weight", embeddings.stateDict().get("word.weight"));
        embeddings.loadStateDict(floats);
        List<Map<String, QuantizedLinear>> layers = new ArrayList<>();
        List<LayerNorm[]> norms = new ArrayList<>();
        int[][] sizes = {{h, h}, {h, h}, {h, h}, {h, h}, {inter, h}, {h, inter}};
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = prefix + "layers." + i + ".";
            Map<String, QuantizedLinear> l = new LinkedHashMap<>();
            for (int j = 0; j < PROJECTIONS.length; j++) {
                String name = p + PROJECTIONS[j];
                int out = sizes[j][0], in = sizes[j][1];
                l.put(PROJECTIONS[j], new QuantizedLinear(StoredWeights.fromTensors(scheme, name, tensors, out, in, group, file),
                        StoredWeights.floats(tensors, name + ".bias", file, out)));
            }
            layers.add(l);
            LayerNorm[] pair = new LayerNorm[2];
            for (int n = 0; n < 2; n++) {
                pair[n] = new LayerNorm(new int[]{h}, config.layerNormEps());
                String key = p + "norm" + (n + 1);
                pair[n].loadStateDict(Map.of("weight", Tensor.of(StoredWeights.floats(tensors, key + ".weight", file, h), h),
                        "bias", Tensor.of(StoredWeights.floats(tensors, key + ".bias", file, h), h)));
                pair[n].eval();
            }
            norms.add(pair);
        }
        return new QuantizedBert(config, scheme, group, embeddings, table, layers, norms);
    }

    /** Per stored weight: name → the weight, for reports. */
    Map<String, WeightProduct> weights() {
        Map<String, WeightProduct> out = new LinkedHashMap<>();
        out.put("embeddings.word", wordTable);
        for (int i = 0; i < layers.size(); i++) {
            int layer = i;
            layers.get(i).forEach((name, l) -> out.put("layers." + layer + "." + name, l.weight()));
        }
        return out;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "QuantizedBert");
        c.put("scheme", scheme.id());
        if (scheme == Scheme.INT4) c.put("group", group);
        Map<String, Object> b = new LinkedHashMap<>(config.toMap());
        b.remove("type");
        c.put("bert", b);
        return c;
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
