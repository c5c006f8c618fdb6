package gradus.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Byte-level BPE as in GPT-2: text is split with GPT-2's pattern, written in a 256-character byte alphabet and
 * merged by learned pair merges. Every string encodes (no unknown token) and decodes back exactly.
 */
public final class BpeTokenizer extends PipelineTokenizer {
    BpeTokenizer(PipelineTokenizer pipeline) {
        super(pipeline);
    }

    /**
     * Learns merges until the vocabulary has {@code vocabSize} tokens (special tokens first, ids 0, 1, ..., then the
     * 256 bytes, then one per merge) or no pair occurs {@code minFrequency} times. Special tokens in the texts are
     * matched whole, never split.
     */
    public static BpeTokenizer train(Iterable<String> texts, int vocabSize, int minFrequency, List<String> specialTokens) {
        PreTokenizer split = new PreTokenizer.ByteLevelSplit(false, true, true);
        BpeModel model = BpeTrainer.train(texts, vocabSize, minFrequency, specialTokens, split);
        List<AddedToken> added = new ArrayList<>();
        for (int i = 0; i < specialTokens.size(); i++) added.add(AddedToken.special(i, specialTokens.get(i)));
        return new BpeTokenizer(new PipelineTokenizer(new PipelineTokenizer.Parts(null, split, model, null,
                new Decoder.ByteLevelDecoder(), added, BatchOptions.DEFAULT, null, 0)));
    }

    static boolean fits(PipelineTokenizer t) {
        Parts p = t.parts();
        return p.model() instanceof BpeModel && p.preTokenizer() instanceof PreTokenizer.ByteLevelSplit && p.decoder() instanceof Decoder.ByteLevelDecoder;
    }

    /** The learned merges in order, as (left, right) token pairs. */
    public List<String[]> merges() {
        return ((BpeModel) model()).merges();
    }
}
