package gradus.llm;

import gradus.io.gguf.GgmlType;
import gradus.models.GenerationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The KV cache kept between calls (a chat's next turn feeds only its new tokens) changes nothing in the tokens. */
class GgufLanguageModelTest {
    @TempDir
    Path dir;

    @Test
    void aPromptExtendingTheLastCallGivesTheSameTokensAsAFreshModel() throws Exception {
        Path file = dir.resolve("random.gguf");
        RandomLlama.small().write(file, GgmlType.F32, 3);
        GenerationConfig greedy = GenerationConfig.builder().greedy(true).maxNewTokens(12).build();
        int[] first = {1, 300, 301, 500, 42};
        try (GgufLanguageModel warm = GgufLanguageModel.open(file); GgufLanguageModel fresh = GgufLanguageModel.open(file)) {
            int[] answer = warm.complete(first, greedy, t -> true).tokens();
            assertArrayEquals(Greedy.generate((Llama) warm.decoder(), first, answer.length, null), answer, "greedy, as Greedy.generate");
            int[] next = concat(concat(first, answer), new int[] {600, 601, 17});
            int[] reused = warm.complete(next, greedy, t -> true).tokens();
            assertArrayEquals(fresh.complete(next, greedy, t -> true).tokens(), reused);
            // A prompt that does not extend the cached tokens starts over.
            int[] other = {1, 700, 42};
            assertArrayEquals(Greedy.generate((Llama) fresh.decoder(), other, 12, null), warm.complete(other, greedy, t -> true).tokens());
            // Sampling reproduces with the seed and differs with another.
            var sample = GenerationConfig.builder().temperature(1f).maxNewTokens(16).seed(5).build();
            int[] a = warm.complete(first, sample, t -> true).tokens(), b = fresh.complete(first, sample, t -> true).tokens();
            assertArrayEquals(a, b);
            assertNotEquals(Arrays.toString(a), Arrays.toString(warm.complete(first, sample.toBuilder().seed(6).build(), t -> true).tokens()));
            int[] seen = {0};
            var stopped = warm.complete(first, greedy, t -> ++seen[0] < 3);
            assertArrayEquals(Arrays.copyOf(answer, 3), stopped.tokens(), "the callback stops generation after its third token");
            assertEquals("stop", stopped.finishReason());
            assertThrows(IllegalArgumentException.class, () -> warm.complete(new int[0], greedy, t -> true));
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
