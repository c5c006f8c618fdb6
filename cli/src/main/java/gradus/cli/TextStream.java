package gradus.cli;

import gradus.text.Tokenizer;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Prints generated tokens as text while they come: the ids so far are decoded and the new part printed, held back
 * while it ends in an incomplete UTF-8 sequence (a byte token of a multi-byte character).
 */
final class TextStream {
    private final Tokenizer tokenizer;
    private final PrintStream out;
    private int[] ids = new int[16];
    private int n, printed;

    TextStream(Tokenizer tokenizer, PrintStream out) {
        this.tokenizer = tokenizer;
        this.out = out;
    }

    void add(int id) {
        if (n == ids.length) ids = Arrays.copyOf(ids, 2 * n);
        ids[n++] = id;
        String text = text();
        if (text.endsWith("\uFFFD")) return;
        if (out != null && text.length() > printed) out.print(text.substring(printed));
        if (out != null) out.flush();
        printed = text.length();
    }

    /** The text of the tokens so far, special tokens left out. */
    String text() {
        return tokenizer.decode(Arrays.copyOf(ids, n), true);
    }

    /** Prints what was held back. */
    void finish() {
        String text = text();
        if (out != null && text.length() > printed) out.print(text.substring(printed));
        printed = text.length();
    }
}
