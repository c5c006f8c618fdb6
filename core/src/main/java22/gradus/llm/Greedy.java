package gradus.llm;

/** Greedy decoding: the prompt, then {@code steps} times the arg-max token (the lowest id wins a tie, as in llama.cpp). */
public final class Greedy {
    private Greedy() {}

    /** The generated tokens; {@code lastLogits}, when not null, receives the logits that chose the last one. */
    public static int[] generate(Llama model, int[] prompt, int steps, float[] lastLogits) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        Llama.Session s = model.newSession(Math.min(model.config().contextLength(), prompt.length + steps));
        float[] logits = null;
        for (int t : prompt) logits = model.forward(s, t);
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = argMax(logits);
            if (i == steps - 1 && lastLogits != null) System.arraycopy(logits, 0, lastLogits, 0, logits.length);
            if (i < steps - 1) logits = model.forward(s, out[i]);
        }
        return out;
    }

    public static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }
}
