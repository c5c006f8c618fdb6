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

    /**
     * Held-out text encoded the way a saved model expects, from its config.json: non-overlapping
     * windows of {@code context} tokens for a language model, rows of {@code max_length} ids for a classifier.
     */
    public static Dataset forModel(TextData.Source source, Tokenizer tokenizer, java.util.Map<String, Object> modelConfig) {
        if (source instanceof TextData.Corpus corpus) {
            if (!"language_model".equals(modelConfig.get("task"))) {
                throw new DataException("a text corpus can only evaluate a language model; this model's task is " + modelConfig.get("task"));
            }
            int context = ((Number) modelConfig.getOrDefault("context", 128)).intValue();
            return windows(corpus, tokenizer, context, context);
        }
        if ("language_model".equals(modelConfig.get("task"))) {
            throw new DataException("a language model is evaluated on a text corpus, not on labelled documents");
        }
        int maxLength = ((Number) modelConfig.getOrDefault("max_length", 256)).intValue();
        return classification((TextData.Documents) source, tokenizer, maxLength, Math.max(0, tokenizer.padId()));
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
        if (maxLength < 1) throw new IllegalArgumentException("max_length must be positive, got " + maxLength);
        int n = docs.size();
        float[] x = new float[n * maxLength];
        if (padId != 0) java.util.Arrays.fill(x, padId);
        for (int i = 0; i < n; i++) {
            int[] ids = tokenizer.encode(docs.texts().get(i));
            int len = Math.min(ids.length, maxLength);
            for (int t = 0; t < len; t++) x[i * maxLength + t] = ids[t];
        }
        return new TensorDataset(Tensor.of(x, n, maxLength), IntTensor.of(docs.labels().clone(), n), docs.classNames());
    }
}
