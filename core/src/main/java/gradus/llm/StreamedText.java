package gradus.llm;

import gradus.text.Tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The text of generated tokens as it grows, for streaming: each new piece goes to {@code onText} once it is final.
 * A piece is held back while it ends in half a UTF-8 character (a byte token) or in what could still become a stop
 * sequence; once a stop sequence appears the text ends before it. The tokens are decoded as the continuation of the
 * last prompt tokens (whose text is decoded along and removed), so a SentencePiece word keeps the space that joins it
 * to the prompt, as llama.cpp's detokenizer does with the preceding tokens.
 */
public final class StreamedText {
    /** Prompt tokens decoded before the generated ones, for the spaces at the join. */
    static final int CONTEXT_TOKENS = 3;

    private final Tokenizer tokenizer;
    private final List<String> stops;
    private final Consumer<String> onText;
    private final int[] context;
    private final String contextText;
    private int[] ids = new int[16];
    private int n;
    private String text = "";
    private int sent;
    private boolean stopped;

    public StreamedText(Tokenizer tokenizer, int[] prompt, List<String> stopSequences, Consumer<String> onText) {
        this.tokenizer = tokenizer;
        this.stops = List.copyOf(stopSequences);
        this.onText = onText;
        this.context = Arrays.copyOfRange(prompt, Math.max(0, prompt.length - CONTEXT_TOKENS), prompt.length);
        this.contextText = context.length == 0 ? "" : tokenizer.decode(context, true);
    }

    /** Adds a generated token; false once the text holds a stop sequence (generation should end). */
    public boolean add(int id) {
        if (stopped) return false;
        if (n == ids.length) ids = Arrays.copyOf(ids, 2 * n);
        ids[n++] = id;
        text = decode();
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0) {
                text = text.substring(0, at);
                stopped = true;
            }
        }
        if (stopped) {
            flush(text.length());
            return false;
        }
        if (!text.endsWith("\uFFFD")) flush(text.length() - pendingStop());
        return true;
    }

    /** Sends what was held back (a stop sequence's beginning that did not complete, a dangling byte). */
    public void finish() {
        flush(text.length());
    }

    /** The text so far, special tokens left out, cut before a stop sequence. */
    public String text() {
        return text;
    }

    /** Whether a stop sequence ended the text. */
    public boolean stopped() {
        return stopped;
    }

    private String decode() {
        int[] generated = Arrays.copyOf(ids, n);
        if (contextText.isEmpty()) return tokenizer.decode(generated, true);
        int[] joined = Arrays.copyOf(context, context.length + n);
        System.arraycopy(generated, 0, joined, context.length, n);
        String all = tokenizer.decode(joined, true);
        return all.startsWith(contextText) ? all.substring(contextText.length()) : tokenizer.decode(generated, true);
    }

    private void flush(int upTo) {
        if (upTo <= sent) return;
        String piece = text.substring(sent, upTo);
        sent = upTo;
        onText.accept(piece);
    }

    /** Length of the longest end of the text that could still grow into a stop sequence. */
    private int pendingStop() {
        int hold = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, text.length()); k > hold; k--) {
                if (text.regionMatches(text.length() - k, stop, 0, k)) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }
}
