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
 */
public record GenerationParams(int maxTokens, double temperature, double topP, List<String> stop, Long seed) {}
