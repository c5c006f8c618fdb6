package gradus.models;

import gradus.autograd.GradMode;
import gradus.files.FileFormatException;
import gradus.io.ModelDirectory;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import gradus.text.BatchEncoding;
import gradus.text.BatchOptions;
import gradus.text.Encoding;
import gradus.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Sentence embeddings from a {@link Bert} and its tokenizer, as sentence-transformers computes them:
 * tokenize, encode, pool (mean over real tokens by default) and L2-normalize. Texts are batched by
 * length so that little time goes to padding; the result keeps the input order. The encoder runs as a
 * {@link BertInference} (pre-packed weights) taken when the embedder is built: build a new embedder
 * after changing the model's weights. {@link #embed} only reads, so several threads (a server's
 * requests) may call it at once.
 */
public final class SentenceEmbedder {
    /** Config keys that {@link #save} writes beside the model and {@link #load} reads. */
    public static final String POOLING_KEY = "pooling", NORMALIZE_KEY = "normalize";
    private static final int BATCH = 32;

    private final Bert bert;
    private final BertInference inference;
    private final Tokenizer tokenizer;
    private final SentencePooling pooling;
    private final boolean normalize;
    private final int maxLength;

    /** Mean pooling, L2-normalized, texts truncated to the tokenizer's saved limit (else the model's positions). */
    public SentenceEmbedder(Bert bert, Tokenizer tokenizer) {
        this(bert, tokenizer, SentencePooling.MEAN, true);
    }

    public SentenceEmbedder(Bert bert, Tokenizer tokenizer, SentencePooling pooling, boolean normalize) {
        this.bert = bert;
        this.tokenizer = tokenizer;
        this.pooling = pooling;
        this.normalize = normalize;
        int positions = bert.bertConfig().maxPositionEmbeddings(), saved = tokenizer.batchDefaults().maxLength();
        this.maxLength = saved > 0 ? Math.min(saved, positions) : positions;
        bert.eval();
        this.inference = new BertInference(bert);
    }

    /** Loads a model directory written by {@link #save} (or any directory holding a Bert and tokenizer.json). */
    public static SentenceEmbedder load(Path dir) throws IOException {
        ModelDirectory.Loaded loaded = ModelDirectory.load(dir);
        if (!(loaded.model() instanceof Bert bert)) {
            throw new FileFormatException(dir.resolve(ModelDirectory.CONFIG_FILE), "holds a " + loaded.model().getClass().getSimpleName()
                    + ", not a Bert; sentence embeddings need a BERT-family encoder");
        }
        Map<String, Object> c = loaded.config();
        SentencePooling pooling = SentencePooling.parse(String.valueOf(c.getOrDefault(POOLING_KEY, "mean")));
        return new SentenceEmbedder(bert, ModelDirectory.tokenizer(dir), pooling, !Boolean.FALSE.equals(c.get(NORMALIZE_KEY)));
    }

    /** Writes the model, its tokenizer and the pooling settings to {@code dir}. */
    public void save(Path dir) throws IOException {
        ModelDirectory.save(dir, bert, Map.of(POOLING_KEY, pooling.key(), NORMALIZE_KEY, normalize));
        tokenizer.save(dir.resolve(ModelDirectory.TOKENIZER_FILE));
    }

    public Bert model() {
        return bert;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The length of each embedding. */
    public int dimension() {
        return bert.bertConfig().hiddenSize();
    }

    /** The tokens the model sees for {@code text}: special tokens included, after truncation (for usage counts). */
    public int countTokens(String text) {
        return Math.min(tokenizer.encode(text, true).length(), maxLength);
    }

    public float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    /** One embedding per text, in order. */
    public float[][] embed(List<String> texts) {
        if (texts.isEmpty()) return new float[0][];
        return embed(tokenizer.encodeBatch(texts, BatchOptions.DEFAULT.truncateTo(maxLength).noPadding()));
    }

    /**
     * One embedding per sequence of token ids, fed to the model as given (no special tokens added): the ids
     * that {@code tokenizer().encode(text, true)} gives embed exactly as the text does. Ids outside the
     * vocabulary, empty sequences and sequences longer than the model's limit are refused.
     */
    public float[][] embedIds(List<int[]> sequences) {
        List<Encoding> encodings = new ArrayList<>(sequences.size());
        int vocab = bert.bertConfig().vocabSize();
        for (int s = 0; s < sequences.size(); s++) {
            int[] ids = sequences.get(s);
            if (ids.length == 0) throw new IllegalArgumentException("token sequence " + s + " is empty");
            if (ids.length > maxLength) {
                throw new IllegalArgumentException("token sequence " + s + " has " + ids.length + " ids; this model takes at most " + maxLength);
            }
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] >= vocab) {
                    throw new IllegalArgumentException("token id " + ids[i] + " (sequence " + s + ", position " + i
                            + ") is outside the vocabulary: ids run from 0 to " + (vocab - 1));
                }
            }
            int[] ones = new int[ids.length];
            Arrays.fill(ones, 1);
            encodings.add(new Encoding(ids.clone(), new int[ids.length], ones));
        }
        return encodings.isEmpty() ? new float[0][] : embed(new BatchEncoding(encodings));
    }

    /** Embeddings of encoded texts, batched by length; the result keeps their order. */
    private float[][] embed(BatchEncoding all) {
        Integer[] order = new Integer[all.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> all.get(i).length()));
        float[][] out = new float[all.size()][];
        try (var g = GradMode.noGrad()) {
            for (int from = 0; from < order.length; from += BATCH) {
                Integer[] rows = Arrays.copyOfRange(order, from, Math.min(order.length, from + BATCH));
                IntTensor[] in = padded(all, rows);
                Tensor pooled = pooling.pool(inference.forward(in[0], in[1], in[2]), in[2]);
                if (normalize) pooled = SentencePooling.l2Normalize(pooled);
                float[] v = pooled.toArray();
                int h = pooled.size(1);
                for (int r = 0; r < rows.length; r++) out[rows[r]] = Arrays.copyOfRange(v, r * h, (r + 1) * h);
            }
        }
        return out;
    }

    /** ids, type ids and attention mask [rows, longest] for the given encodings, padded on the right. */
    private IntTensor[] padded(BatchEncoding all, Integer[] rows) {
        int len = 0;
        for (int r : rows) len = Math.max(len, all.get(r).length());
        int pad = Math.max(0, tokenizer.padId());
        int[] ids = new int[rows.length * len], types = new int[ids.length], mask = new int[ids.length];
        Arrays.fill(ids, pad);
        for (int i = 0; i < rows.length; i++) {
            Encoding e = all.get(rows[i]);
            System.arraycopy(e.ids(), 0, ids, i * len, e.length());
            System.arraycopy(e.typeIds(), 0, types, i * len, e.length());
            System.arraycopy(e.attentionMask(), 0, mask, i * len, e.length());
        }
        return new IntTensor[]{IntTensor.of(ids, rows.length, len), IntTensor.of(types, rows.length, len), IntTensor.of(mask, rows.length, len)};
    }
}
