package gradus.models;

import java.util.List;

/**
 * How {@link Generator} picks tokens. Greedy takes the most likely token; otherwise tokens are sampled
 * from the logits after a repetition penalty (CTRL's: positive logits of tokens already present are
 * divided by it, negative ones multiplied), temperature, top-k and top-p (nucleus) filtering. Generation
 * stops after {@code maxNewTokens}, at a stop token, or once the decoded new text contains a stop
 * sequence. {@code seed} makes sampling reproducible; {@code useCache} toggles the KV cache (same
 * results, faster); {@code bosToken} (or -1) replaces an empty prompt.
 */
public record GenerationConfig(int maxNewTokens, boolean greedy, float temperature, int topK, float topP,
                               float repetitionPenalty, List<String> stopSequences, List<Integer> stopTokens,
                               long seed, boolean useCache, int bosToken) {

    public GenerationConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0f && topP <= 1f)) throw new IllegalArgumentException("topP must be in (0, 1] (1 = off), got " + topP);
        if (!(repetitionPenalty > 0f)) throw new IllegalArgumentException("repetitionPenalty must be > 0 (1 = off), got " + repetitionPenalty);
        stopSequences = List.copyOf(stopSequences);
        stopTokens = List.copyOf(stopTokens);
        for (String s : stopSequences) if (s.isEmpty()) throw new IllegalArgumentException("stop sequences must not be empty");
    }

    /** Sampling at temperature 1, nothing filtered, 100 new tokens, cache on, seed 0. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether tokens are chosen by argmax (greedy, or temperature 0). */
    public boolean isGreedy() {
        return greedy || temperature == 0f;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxNewTokens = maxNewTokens;
        b.greedy = greedy;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.repetitionPenalty = repetitionPenalty;
        b.stopSequences = stopSequences;
        b.stopTokens = stopTokens;
        b.seed = seed;
        b.useCache = useCache;
        b.bosToken = bosToken;
        return b;
    }

    /** Builds a {@link GenerationConfig}; every setting has a default. */
    public static final class Builder {
        private int maxNewTokens = 100;
        private boolean greedy;
        private float temperature = 1f;
        private int topK;
        private float topP = 1f;
        private float repetitionPenalty = 1f;
        private List<String> stopSequences = List.of();
        private List<Integer> stopTokens = List.of();
        private long seed;
        private boolean useCache = true;
        private int bosToken = -1;

        private Builder() {}

        public Builder maxNewTokens(int n) { maxNewTokens = n; return this; }
        public Builder greedy(boolean on) { greedy = on; return this; }
        public Builder temperature(float t) { temperature = t; return this; }
        public Builder topK(int k) { topK = k; return this; }
        public Builder topP(float p) { topP = p; return this; }
        public Builder repetitionPenalty(float p) { repetitionPenalty = p; return this; }
        public Builder stopSequences(List<String> s) { stopSequences = s; return this; }
        public Builder stopTokens(List<Integer> t) { stopTokens = t; return this; }
        public Builder seed(long s) { seed = s; return this; }
        public Builder useCache(boolean on) { useCache = on; return this; }
        public Builder bosToken(int id) { bosToken = id; return this; }

        public GenerationConfig build() {
            return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, stopSequences,
                    stopTokens, seed, useCache, bosToken);
        }
    }
}
