package gradus.serve.text;

/**
 * A finished generation.
 *
 * @param finishReason "stop" (end of text or a stop string) or "length" (max tokens reached)
 */
public record Generation(String text, int promptTokens, int completionTokens, String finishReason) {}
