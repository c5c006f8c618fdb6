package gradus.serve;

import gradus.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/** OpenAI bodies (completions, chat, embeddings, responses): every bad one is a 400 with a message, never a JDK exception. */
class OpenAiRequestFuzzTest {
    static final String[] WORDS = {"\"model\"", "\"prompt\"", "\"messages\"", "\"role\"", "\"content\"", "\"type\"", "\"text\"",
            "\"max_tokens\"", "\"max_completion_tokens\"", "\"temperature\"", "\"top_p\"", "\"stop\"", "\"seed\"", "\"n\"", "\"stream\"",
            "\"stream_options\"", "\"include_usage\"", "\"input\"", "\"encoding_format\"", "\"base64\"", "\"float\"", "\"user\"",
            "\"instructions\"", "\"max_output_tokens\"", "\"input_text\"", "\"output_text\"", "\"message\"", "\"tools\"", "\"format\"",
            "\"previous_response_id\"", "\"metadata\"", "\"developer\"", "[1,2,3]", "[[1],[2,3]]"};

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
                .seed("{\"model\":\"minilm\",\"input\":[[101,2023,102],[7]]}")
                .dictionary(WORDS)
                .expect(ApiException.class)
                .iterations(20000)
                .run();
    }

    @Test
    void fuzzResponseBodies() {
        Fuzzer.of("openai-responses", body -> OpenAiResponses.Request.of(Http.jsonObject(body), 1024))
                .seed("{\"model\":\"gpt\",\"instructions\":\"be brief\",\"input\":[{\"role\":\"user\",\"content\":\"hi\"},"
                        + "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"yes\"}]},"
                        + "{\"role\":\"developer\",\"content\":[{\"type\":\"input_text\",\"text\":\"go\"}]}],\"max_output_tokens\":16,"
                        + "\"temperature\":0.7,\"top_p\":0.9,\"stream\":true,\"text\":{\"format\":{\"type\":\"text\"}},\"metadata\":{\"k\":\"v\"}}")
                .seed("{\"model\":\"gpt\",\"input\":\"once\",\"tools\":[],\"store\":false}")
                .dictionary(WORDS)
                .expect(ApiException.class)
                .iterations(20000)
                .run();
    }
}
