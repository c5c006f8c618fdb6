package gradus.models;

import gradus.text.Tokenizer;

import java.util.function.Consumer;

/**
 * Text in, text out: a {@link Gpt} with its tokenizer. Streams the generated text in pieces as
 * tokens arrive (holding back a piece while it ends in an incomplete UTF-8 sequence of a byte-level
 * tokenizer), and reports what a caller should warn about: prompt tokens cut to fit the context and
 * characters the vocabulary does not know.
 */
public final class TextGenerator {
    private final Gpt model;
    private final Tokenizer tokenizer;

    public TextGenerator(Gpt model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public Gpt model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The outcome: the generated {@code text} (prompt excluded), token counts, how many leading
     * prompt tokens were dropped to fit the context, how many prompt tokens were unknown, and why it
     * stopped ({@code length} or {@code stop}, as the OpenAI API names it).
     */
    public record Result(String text, int promptTokens, int completionTokens, int droppedPromptTokens,
                         int unknownPromptTokens, String finishReason) {}

    /** The prompt's token ids, as the model will see them (before truncation to the context). */
    public int[] encode(String prompt) {
        return tokenizer.encode(prompt);
    }

    public Result generate(String prompt, GenerationConfig config) {
        return generate(prompt, config, piece -> {});
    }

    /** Generates after {@code prompt}, passing each new piece of text to {@code onText} as soon as it is complete. */
    public Result generate(String prompt, GenerationConfig config, Consumer<String> onText) {
        int[] ids = encode(prompt);
        if (ids.length == 0 && config.bosToken() < 0) {
            int bos = tokenizer.bosId();
            if (bos < 0) throw new IllegalArgumentException("the prompt is empty: give at least one character");
            config = config.toBuilder().bosToken(bos).build();
        }
        int unknown = 0, unk = tokenizer.unkId();
        for (int id : ids) if (id == unk && unk >= 0) unknown++;
        java.util.List<String> stops = config.stopSequences();
        StringBuilder generated = new StringBuilder();
        IntList tokens = new IntList();
        Generator.Generation g = new Generator(model, tokenizer::decode).generate(ids, config, id -> {
            tokens.add(id);
            String text = tokenizer.decode(tokens.toArray());
            // a byte-level tokenizer decodes half a character as U+FFFD: wait for the rest
            if (text.endsWith("\uFFFD")) return;
            int ready = text.length() - pendingStop(text, stops);
            if (ready <= generated.length()) return;
            String piece = text.substring(generated.length(), ready);
            generated.append(piece);
            onText.accept(piece);
        });
        String text = tokenizer.decode(g.tokens());
        if (g.stopSequence() != null && text.contains(g.stopSequence())) text = text.substring(0, text.indexOf(g.stopSequence()));
        if (text.length() > generated.length() && text.startsWith(generated.toString())) onText.accept(text.substring(generated.length()));
        String finish = g.stopReason() == Generator.StopReason.MAX_NEW_TOKENS ? "length" : "stop";
        return new Result(text, ids.length, g.tokens().length, g.droppedPromptTokens(), unknown, finish);
    }

    /** Length of the longest end of {@code text} that could still grow into a stop sequence: not streamed yet. */
    private static int pendingStop(String text, java.util.List<String> stops) {
        int hold = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length(), text.length()); k > hold; k--) {
                if (text.regionMatches(text.length() - k, stop, 0, k)) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }

    /** A growable int array, so streaming does not box every token. */
    private static final class IntList {
        private int[] a = new int[64];
        private int n;

        void add(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, 2 * n);
            a[n++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
