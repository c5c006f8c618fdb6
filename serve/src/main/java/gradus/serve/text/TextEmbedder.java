package gradus.serve.text;

import gradus.serve.ApiException;

import java.util.List;

/** An encoder that turns texts into vectors (for {@code /v1/embeddings}); thread-safe. */
public interface TextEmbedder {
    /** One vector per text, in the order of {@code texts}. */
    float[][] embed(List<String> texts);

    /**
     * One vector per sequence of this model's token ids (OpenAI's {@code input: [[1, 2], [3]]}); 400 for ids
     * outside the vocabulary, and from models that take only text.
     */
    default float[][] embedTokens(List<int[]> ids) {
        throw ApiException.badRequest("this model takes only text, not token ids");
    }

    /** Tokens in a text, for usage counts. */
    int countTokens(String text);
}
