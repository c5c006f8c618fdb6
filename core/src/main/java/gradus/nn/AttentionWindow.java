package gradus.nn;

import gradus.config.Default;
import gradus.kernels.AttentionKernel;

/**
 * Sliding-window self-attention (Longformer; Mistral when causal), the {@code attention:} section of the attention
 * layers' configs: each token attends to the tokens at most {@code window} positions away (only earlier ones when
 * causal), and the first {@code globalTokens} tokens are global: they attend to every token and every token attends
 * to them. Memory and time grow as T·(2·window + globalTokens) instead of T². A window that covers the sequence
 * (window ≥ T − 1) is full attention, with the same numbers.
 */
public record AttentionWindow(int window, @Default("0") int globalTokens) {
    public AttentionWindow {
        if (window < 1) throw new IllegalArgumentException("attention window must be >= 1 token, got window: " + window);
        if (globalTokens < 0) throw new IllegalArgumentException("attention global_tokens must be >= 0, got " + globalTokens);
    }

    /** The kernel's window for a tq × tk call, or null (full attention) when this one covers it. */
    AttentionKernel.Window forCall(int tq, int tk) {
        var w = new AttentionKernel.Window(window, globalTokens);
        return w.covers(tq, tk) ? null : w;
    }
}
