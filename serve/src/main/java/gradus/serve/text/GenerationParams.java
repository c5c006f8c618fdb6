package gradus.serve.text;

import java.util.List;

/**
 * Sampling settings from an OpenAI request.
 *
 * @param maxTokens   tokens to generate at most
 * @param temperature 0 = greedy
 * @param topP        nucleus sampling mass (1 = off)
 * @param stop        strings that end the generation (not included in the text)
 * @param seed        for reproducible sampling, or null
 * @param topK        sample from the k most likely tokens only (0 = off); not OpenAI's, but vLLM's and llama.cpp's
 */
public record GenerationParams(int maxTokens, double temperature, double topP, List<String> stop, Long seed, int topK) {
    /** Without top-k. */
    public GenerationParams(int maxTokens, double temperature, double topP, List<String> stop, Long seed) {
        this(maxTokens, temperature, topP, stop, seed, 0);
    }
}
