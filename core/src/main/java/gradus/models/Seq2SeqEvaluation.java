package gradus.models;

import gradus.data.datasets.TextPairs;
import gradus.metrics.Rouge;
import gradus.text.Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Generates an output (never the tokenizer's unknown id) for every source of a pair set and scores them against the targets with ROUGE-1/2/L (no stemming). */
public final class Seq2SeqEvaluation {
    private Seq2SeqEvaluation() {}

    /** The decoded outputs, in pair order, and their mean ROUGE F-measures (and precision, recall). */
    public record Report(List<String> predictions, Rouge.Result rouge) {
        /** rouge1, rouge2, rougeL: the mean F-measures ×100, as papers and rouge-score's examples print them. */
        public Map<String, Double> summary() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("rouge1", 100 * rouge.rouge1().fmeasure());
            m.put("rouge2", 100 * rouge.rouge2().fmeasure());
            m.put("rougeL", 100 * rouge.rougeL().fmeasure());
            return m;
        }
    }

    public static Report run(Seq2SeqTransformer model, Tokenizer tokenizer, TextPairs pairs, Seq2SeqDecoding.Settings settings) {
        if (pairs.size() == 0) throw new IllegalArgumentException("no text pairs to evaluate");
        Seq2SeqConfig c = model.seq2seqConfig();
        List<String> predictions = new ArrayList<>(pairs.size());
        List<List<String>> references = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            int[] source = Seq2SeqData.source(pairs.sources().get(i), tokenizer, c);
            predictions.add(tokenizer.decode(Seq2SeqDecoding.generate(model, source, settings, tokenizer.unkId())));
            references.add(List.of(pairs.targets().get(i)));
        }
        return new Report(predictions, Rouge.mean(predictions, references, false));
    }
}
