package gradus.serve.text;

import java.util.List;

/** An encoder that turns texts into vectors (for {@code /v1/embeddings}); thread-safe. */
public interface TextEmbedder {
    /** One vector per text, in the order of {@code texts}. */
    float[][] embed(List<String> texts);

    /** Tokens in a text, for usage counts. */
    int countTokens(String text);
}
