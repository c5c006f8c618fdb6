package gradus.llm;

import gradus.text.GgufTokenizer;
import gradus.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** The tokenizer embedded in a GGUF file's metadata: the Java 22 side of {@link Gguf#tokenizer(Path)}. */
public final class EmbeddedTokenizer {
    private EmbeddedTokenizer() {}

    public static Tokenizer load(Path file) throws IOException {
        return GgufTokenizer.load(file);
    }
}
