package gradus.models;

import gradus.autograd.GradMode;
import gradus.nn.KVCache;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Autoregressive text generation with a {@link Gpt}. The model sees a window of at most contextLength
 * tokens; when the sequence outgrows it, the window jumps forward to the last contextLength/2 tokens
 * (with the KV cache: the cache is rebuilt from them), so cached and uncached runs see the same tokens
 * and give the same results. The model runs in eval mode and its previous mode is restored afterwards.
 */
public final class Generator {
    private final Gpt model;
    private final Function<int[], String> decode;

    public Generator(Gpt model) {
        this(model, null);
    }

    /** {@code decode} turns token ids into text (a tokenizer's decode); needed for stop sequences. */
    public Generator(Gpt model, Function<int[], String> decode) {
        this.model = model;
        this.decode = decode;
    }

    /** Why generation ended. */
    public enum StopReason { MAX_NEW_TOKENS, STOP_TOKEN, STOP_SEQUENCE }

    /**
     * The outcome. {@code prompt} is what the model was given (after any truncation),
     * {@code droppedPromptTokens} how many leading prompt tokens did not fit the context,
     * {@code stopSequence} the stop sequence that ended it (or null).
     */
    public record Generation(int[] prompt, int[] tokens, int droppedPromptTokens, StopReason stopReason, String stopSequence) {
        public boolean promptTruncated() {
            return droppedPromptTokens > 0;
        }
    }

    public Generation generate(int[] prompt, GenerationConfig config) {
        return generate(prompt, config, id -> {});
    }

    /** Generates after {@code prompt}, calling {@code onToken} with each new token id as soon as it is chosen. */
    public Generation generate(int[] prompt, GenerationConfig config, IntConsumer onToken) {
        if (!config.stopSequences().isEmpty() && decode == null) {
            throw new IllegalArgumentException("stop sequences need a decode function: use new Generator(model, tokenizer::decode)");
        }
        if (prompt.length == 0) {
            if (config.bosToken() < 0) throw new IllegalArgumentException("empty prompt: give at least one token, or set a BOS token in the generation config");
            prompt = new int[]{config.bosToken()};
        }
        int context = model.gptConfig().contextLength(), vocab = model.gptConfig().vocabSize();
        for (int id : prompt) {
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary of " + vocab);
        }
        int dropped = Math.max(0, prompt.length - context);
        int[] kept = Arrays.copyOfRange(prompt, dropped, prompt.length);
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var g = GradMode.noGrad()) {
            return run(kept, dropped, config, onToken, context, vocab);
        } finally {
            if (wasTraining) model.train();
        }
    }

    private Generation run(int[] prompt, int dropped, GenerationConfig config, IntConsumer onToken, int context, int vocab) {
        int[] seq = Arrays.copyOf(prompt, prompt.length + config.maxNewTokens());
        int len = prompt.length, windowStart = 0;
        boolean[] seen = new boolean[vocab];
        for (int id : prompt) seen[id] = true;
        Rng rng = new Rng(config.seed());
        KVCache cache = config.useCache() ? model.newCache() : null;
        Sampler sampler = new Sampler(config, rng);
        for (int step = 0; step < config.maxNewTokens(); step++) {
            if (len - windowStart > context) {
                windowStart = len - Math.max(1, context / 2);
                if (cache != null) cache.clear();
            }
            IntTensor input;
            if (cache == null) input = IntTensor.of(Arrays.copyOfRange(seq, windowStart, len), 1, len - windowStart);
            else {
                int from = windowStart + cache.length();
                input = IntTensor.of(Arrays.copyOfRange(seq, from, len), 1, len - from);
            }
            Tensor logits = model.forward(input, cache);
            float[] last = logits.select(1, logits.size(1) - 1).contiguousData();
            int next = sampler.next(Arrays.copyOf(last, vocab), seen);
            seq[len++] = next;
            seen[next] = true;
            onToken.accept(next);
            int[] generated = Arrays.copyOfRange(seq, prompt.length, len);
            if (config.stopTokens().contains(next)) return new Generation(prompt, generated, dropped, StopReason.STOP_TOKEN, null);
            if (!config.stopSequences().isEmpty()) {
                String text = decode.apply(generated);
                for (String s : config.stopSequences()) {
                    if (text.contains(s)) return new Generation(prompt, generated, dropped, StopReason.STOP_SEQUENCE, s);
                }
            }
        }
        return new Generation(prompt, Arrays.copyOfRange(seq, prompt.length, len), dropped, StopReason.MAX_NEW_TOKENS, null);
    }
}
