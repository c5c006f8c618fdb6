package gradus.quant;

import gradus.io.Safetensors.Raw;
import gradus.kernels.WeightProduct;
import gradus.nn.Embedding;
import gradus.nn.Module;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** An {@link Embedding} table stored compressed (int8 rows with one scale each, or bf16/f16); rows are decoded on lookup. */
public final class QuantizedEmbedding extends Module {
    private final WeightProduct table;

    public QuantizedEmbedding(WeightProduct table) {
        StoredWeights.scheme(table);
        this.table = table;
    }

    /** int8 for the int8 and int4 schemes (a lookup reads one row, so 4 bits would save little time), else the 16-bit format. */
    public static QuantizedEmbedding of(Embedding e, Scheme scheme) {
        Tensor w = e.weight().contiguous();
        Scheme s = scheme == Scheme.INT4 ? Scheme.INT8 : scheme;
        return new QuantizedEmbedding(StoredWeights.quantize(s, w.data(), w.offset(), w.size(0), w.size(1), 0));
    }

    public WeightProduct table() {
        return table;
    }

    public Tensor forward(IntTensor ids) {
        int dim = table.inFeatures(), n = table.outFeatures();
        int[] ix = ids.data();
        float[] out = new float[ix.length * dim];
        for (int i = 0; i < ix.length; i++) {
            if (ix[i] < 0 || ix[i] >= n) throw new IllegalArgumentException("token id " + ix[i] + " out of range for " + n + " embeddings");
            StoredWeights.row(table, ix[i], out, i * dim);
        }
        int[] shape = java.util.Arrays.copyOf(ids.shape(), ids.shape().length + 1);
        shape[shape.length - 1] = dim;
        return Tensor.of(out, shape);
    }

    @Override
    public Tensor forward(Tensor ids) {
        float[] v = ids.toArray();
        int[] ix = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) throw new IllegalArgumentException("QuantizedEmbedding expects whole-number token ids, got " + v[i] + " in input of shape " + Shape.str(ids.shape()));
            ix[i] = (int) v[i];
        }
        return forward(IntTensor.of(ix, ids.shape()));
    }

    Map<String, Raw> tensors(String name) {
        return new LinkedHashMap<>(StoredWeights.tensors(name, table));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "QuantizedEmbedding");
        c.put("num_embeddings", table.outFeatures());
        c.put("dim", table.inFeatures());
        c.put("scheme", StoredWeights.scheme(table).id());
        return c;
    }
}
