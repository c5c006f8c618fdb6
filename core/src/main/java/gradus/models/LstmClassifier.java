package gradus.models;

import gradus.nn.Dropout;
import gradus.nn.Embedding;
import gradus.nn.LSTM;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.RecurrentOutput;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A text classifier: Embedding → LSTM → Linear. Input rows are token ids right-padded with id 0;
 * each row's length is its count of non-padding ids, so the LSTM stops at the last real token.
 * The features are the final hidden state ({@code pooling: last}; both directions' when
 * bidirectional), or the mean or max of the outputs over the real steps ({@code mean}, {@code max}).
 */
public final class LstmClassifier extends Module {
    public enum Pooling { LAST, MEAN, MAX }

    private final int vocabSize, embedDim, hidden, layers, classes;
    private final boolean bidirectional;
    private final float dropout;
    private final Pooling pooling;
    private final Embedding embedding;
    private final LSTM lstm;
    private final Dropout drop;
    private final Linear head;

    public LstmClassifier(int vocabSize, int embedDim, int hidden, int classes) {
        this(vocabSize, embedDim, hidden, 1, false, 0f, Pooling.LAST, classes);
    }

    public LstmClassifier(int vocabSize, int embedDim, int hidden, int layers, boolean bidirectional, float dropout,
                          Pooling pooling, int classes) {
        this.vocabSize = vocabSize;
        this.embedDim = embedDim;
        this.hidden = hidden;
        this.layers = layers;
        this.bidirectional = bidirectional;
        this.dropout = dropout;
        this.pooling = pooling;
        this.classes = classes;
        this.embedding = registerModule("embedding", new Embedding(vocabSize, embedDim, 0));
        this.lstm = registerModule("lstm", new LSTM(embedDim, hidden, layers, bidirectional, true, dropout, true));
        this.drop = registerModule("dropout", new Dropout(dropout));
        this.head = registerModule("head", new Linear((bidirectional ? 2 : 1) * hidden, classes));
    }

    /** Class logits [B, classes] for token ids [B, T] (floats holding whole numbers; 0 = padding). */
    @Override
    public Tensor forward(Tensor ids) {
        if (ids.dim() != 2) throw new IllegalArgumentException("LstmClassifier expects token ids [B, T], got shape " + Shape.str(ids.shape()));
        int[] lengths = lengths(ids);
        RecurrentOutput out = lstm.run(embedding.forward(ids), lengths);
        Tensor features = switch (pooling) {
            case LAST -> lastHidden(out.hidden());
            case MEAN -> out.output().sum(1).div(Tensor.of(toFloats(lengths), lengths.length, 1));
            case MAX -> out.output().maskedFill(padding(lengths, ids.size(1), out.output().size(2)), Float.NEGATIVE_INFINITY).max(1, false);
        };
        return head.forward(drop.forward(features));
    }

    /** Non-padding ids per row, at least 1 (an empty document reads one padding token). */
    static int[] lengths(Tensor ids) {
        int b = ids.size(0), t = ids.size(1);
        float[] v = ids.contiguousData();
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            int n = 0;
            for (int i = 0; i < t; i++) if (v[r * t + i] != 0f) n++;
            lengths[r] = Math.max(1, n);
        }
        return lengths;
    }

    /** The last layer's final hidden state, both directions side by side: [B, D·H]. */
    private Tensor lastHidden(Tensor h) {
        int dirs = bidirectional ? 2 : 1, last = (layers - 1) * dirs;
        if (dirs == 1) return h.select(0, last);
        List<Tensor> parts = new ArrayList<>();
        for (int d = 0; d < dirs; d++) parts.add(h.select(0, last + d));
        return Tensor.concat(parts, 1);
    }

    /** 1 where a step lies past its row's length: [B, T, F]. */
    private static Tensor padding(int[] lengths, int steps, int features) {
        float[] m = new float[lengths.length * steps * features];
        for (int r = 0; r < lengths.length; r++) {
            java.util.Arrays.fill(m, (r * steps + lengths[r]) * features, (r + 1) * steps * features, 1f);
        }
        return Tensor.of(m, lengths.length, steps, features);
    }

    private static float[] toFloats(int[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = v[i];
        return f;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "LstmClassifier");
        c.put("vocab_size", vocabSize);
        c.put("embed_dim", embedDim);
        c.put("hidden", hidden);
        c.put("layers", layers);
        c.put("bidirectional", bidirectional);
        c.put("dropout", dropout);
        c.put("pooling", pooling.name().toLowerCase());
        c.put("classes", classes);
        return c;
    }
}
