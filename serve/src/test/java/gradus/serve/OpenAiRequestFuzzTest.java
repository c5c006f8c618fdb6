package gradus.serve;

import gradus.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/** OpenAI bodies (completions, chat, embeddings): every bad one is a 400 with a message, never a JDK exception. */
class OpenAiRequestFuzzTest {
    static final String[] WORDS = {"\"model\"", "\"prompt\"", "\"messages\"", "\"role\"", "\"content\"", "\"type\"", "\"text\"",
            "\"max_tokens\"", "\"max_completion_tokens\"", "\"temperature\"", "\"top_p\"", "\"stop\"", "\"seed\"", "\"n\"", "\"stream\"",
            "\"stream_options\"", "\"include_usage\"", "\"input\"", "\"encoding_format\"", "\"base64\"", "\"float\"", "\"user\""};

    @Test
    void fuzzGenerationBodies() {
        Fuzzer.of("openai-generation", body -> {
                    var json = Http.jsonObject(body);
                    OpenAiApi.GenerationRequest.of(json, true, 1024);
                    OpenAiApi.GenerationRequest.of(json, false, 1024);
                })
                .seed("{\"model\":\"gpt\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":"
                        + "[{\"type\":\"text\",\"text\":\"hi\"}]}],\"prompt\":\"once\",\"max_tokens\":16,\"temperature\":0.7,\"top_p\":0.9,"
                        + "\"stop\":[\"\\n\"],\"seed\":7,\"n\":1,\"stream\":true,\"stream_options\":{\"include_usage\":true}}")
                .seed("{\"model\":\"gpt\",\"prompt\":[\"once upon\"],\"max_completion_tokens\":3,\"stop\":\"x\"}")
                .dictionary(WORDS)
                .expect(ApiException.class)
                .iterations(30000)
                .run();
    }

    @Test
    void fuzzEmbeddingBodies() {
        Fuzzer.of("openai-embeddings", body -> OpenAiApi.EmbeddingRequest.of(Http.jsonObject(body)))
                .seed("{\"model\":\"minilm\",\"input\":[\"a\",\"b c\"],\"encoding_format\":\"base64\"}")
                .seed("{\"model\":\"minilm\",\"input\":\"one\"}")
                .dictionary(WORDS)
                .expect(ApiException.class)
                .iterations(20000)
                .run();
    }
}
