package gradus.data.datasets;

import gradus.data.DataException;
import gradus.data.Dataset;
import gradus.data.TensorDataset;
import gradus.data.TokenWindows;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import gradus.text.Tokenizer;

/** Turns text data into tensors for a model: token windows for language models, padded id rows for classifiers. */
public final class TextEncoding {
    private TextEncoding() {}

    /** A text classifier's row length when its card records none. */
    public static final int DEFAULT_MAX_LENGTH = 256;
    /** A language model's window when its card records none. */
    public static final int DEFAULT_CONTEXT = 128;
    private static final String LANGUAGE_MODEL = "language_model";

    /**
     * Held-out text encoded the way a saved model expects, from its card: non-overlapping windows of {@code context}
     * tokens for a language model ({@code task} language_model), rows of {@code maxLength} ids for a classifier (null:
     * the defaults).
     */
    public static Dataset forModel(TextData.Source source, Tokenizer tokenizer, String task, Integer context, Integer maxLength) {
        if (source instanceof TextData.Corpus corpus) {
            if (!LANGUAGE_MODEL.equals(task)) {
                throw new DataException("a text corpus can only evaluate a language model; this model's task is " + task);
            }
            int window = context != null ? context : DEFAULT_CONTEXT;
            return windows(corpus, tokenizer, window, window);
        }
        if (LANGUAGE_MODEL.equals(task)) {
            throw new DataException("a language model is evaluated on a text corpus, not on labelled documents");
        }
        return classification((TextData.Documents) source, tokenizer, maxLength != null ? maxLength : DEFAULT_MAX_LENGTH,
                Math.max(0, tokenizer.padId()));
    }

    /** The corpus as next-token windows of {@code context} tokens, {@code stride} tokens apart. */
    public static TokenWindows windows(TextData.Corpus corpus, Tokenizer tokenizer, int context, int stride) {
        return new TokenWindows(tokenizer.encode(corpus.text()), context, stride);
    }

    /**
     * Documents as rows of their first {@code maxLength} token ids, right-padded with {@code padId}
     * (classifiers find each row's length by counting non-padding ids).
     */
    public static TensorDataset classification(TextData.Documents docs, Tokenizer tokenizer, int maxLength, int padId) {
        int n = docs.size();
        return new TensorDataset(rows(docs.texts(), tokenizer, maxLength, padId), IntTensor.of(docs.labels().clone(), n), docs.classNames());
    }

    /** Texts as rows [N, maxLength] of their first {@code maxLength} token ids, right-padded with {@code padId}. */
    public static Tensor rows(java.util.List<String> texts, Tokenizer tokenizer, int maxLength, int padId) {
        if (maxLength < 1) throw new IllegalArgumentException("max_length must be positive, got " + maxLength);
        int n = texts.size();
        float[] x = new float[n * maxLength];
        if (padId != 0) java.util.Arrays.fill(x, padId);
        for (int i = 0; i < n; i++) {
            int[] ids = tokenizer.encode(texts.get(i));
            int len = Math.min(ids.length, maxLength);
            for (int t = 0; t < len; t++) x[i * maxLength + t] = ids[t];
        }
        return Tensor.of(x, n, maxLength);
    }
}
