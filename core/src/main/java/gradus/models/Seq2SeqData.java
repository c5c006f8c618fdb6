package gradus.models;

import gradus.data.TensorDataset;
import gradus.data.datasets.TextPairs;
import gradus.text.Tokenizer;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.util.Arrays;

/**
 * Text pairs as a {@link Seq2SeqTransformer} trains on them (teacher forcing). Each example's x holds the source
 * ids cut to source_length and padded, then the decoder input BOS + target; its labels are target + EOS, padded
 * (padding is ignored by {@link Seq2SeqTransformer#loss}). Targets are cut to target_length − 1 tokens.
 */
public final class Seq2SeqData {
    private Seq2SeqData() {}

    /** x [N, source_length + target_length] (ids as floats), labels [N, target_length]. */
    public static TensorDataset encode(TextPairs pairs, Tokenizer tokenizer, Seq2SeqConfig c) {
        int n = pairs.size(), s = c.sourceLength(), t = c.targetLength();
        if (n == 0) throw new IllegalArgumentException("no text pairs to encode");
        float[] x = new float[n * (s + t)];
        int[] labels = new int[n * t];
        Arrays.fill(x, c.padId());
        Arrays.fill(labels, c.padId());
        for (int i = 0; i < n; i++) {
            int[] src = source(pairs.sources().get(i), tokenizer, c), tgt = target(pairs.targets().get(i), tokenizer, c);
            int row = i * (s + t);
            for (int j = 0; j < src.length; j++) x[row + j] = src[j];
            x[row + s] = c.bosId();
            for (int j = 0; j < tgt.length; j++) {
                x[row + s + 1 + j] = tgt[j];
                labels[i * t + j] = tgt[j];
            }
            labels[i * t + tgt.length] = c.eosId();
        }
        return new TensorDataset(Tensor.of(x, n, s + t), IntTensor.of(labels, n, t));
    }

    /** The source ids the model reads: the text's tokens, cut to source_length. */
    public static int[] source(String text, Tokenizer tokenizer, Seq2SeqConfig c) {
        int[] ids = tokenizer.encode(text);
        return ids.length > c.sourceLength() ? Arrays.copyOf(ids, c.sourceLength()) : ids;
    }

    /** The target ids trained on: the text's tokens, cut to target_length − 1 (room for EOS). */
    public static int[] target(String text, Tokenizer tokenizer, Seq2SeqConfig c) {
        int[] ids = tokenizer.encode(text);
        return ids.length > c.targetLength() - 1 ? Arrays.copyOf(ids, c.targetLength() - 1) : ids;
    }
}
