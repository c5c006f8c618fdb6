package gradus.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Hugging Face's Rust tokenizers (through DJL): the reference the Gradus tokenizers are compared with. */
final class Djl implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;

    Djl(Path tokenizerJson) throws IOException {
        // DJL would otherwise impose its own truncation and padding.
        tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("truncation", "false", "padding", "false"));
    }

    int[] encode(String text, boolean addSpecialTokens) {
        return Arrays.stream(tokenizer.encode(text, addSpecialTokens, false).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    int[] typeIds(String text) {
        return Arrays.stream(tokenizer.encode(text, true, false).getTypeIds()).mapToInt(Math::toIntExact).toArray();
    }

    String decode(int[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), skipSpecialTokens);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
