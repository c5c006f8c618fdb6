package gradus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** `gradus train` a tiny character GPT on the shipped Moby Dick sample, then `gradus eval` and `gradus generate` it. */
class GenerateCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void trainTinyGpt() throws Exception {
        Path yaml = dir.resolve("tiny-gpt.yaml");
        Files.writeString(yaml, """
                name: tiny-gpt
                seed: 1
                data:
                  train: moby-dick-sample:train
                  validation: moby-dick-sample:val
                  tokenizer: {type: char}
                  context: 16
                model: {type: Gpt, context_length: 16, layers: 1, heads: 2, width: 16}
                optimizer: {type: adamw, lr: 0.003}
                training: {steps: 30, batch_size: 8}
                """);
        var train = CliTest.cli("train", yaml.toString(), "--out", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("30 steps"), train.out());
        model = dir.resolve("run/model");
    }

    @Test
    void evalReportsLossAndPerplexity() throws Exception {
        var eval = CliTest.cli("eval", model.toString(), "--data", "moby-dick-sample:val", "--json");
        assertEquals(0, eval.code(), eval.err());
        JsonNode r = new ObjectMapper().readTree(eval.out());
        assertEquals(Math.exp(r.get("loss").asDouble()), r.get("perplexity").asDouble(), 1e-6);
        assertTrue(r.get("tokens").asInt() > 4000);
    }

    @Test
    void streamedAndJsonGenerationAgree() throws Exception {
        var json = CliTest.cli("generate", model.toString(), "--prompt", "Call me", "--max-tokens", "25", "--top-k", "5",
                "--top-p", "0.9", "--repetition-penalty", "1.2", "--seed", "7", "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode r = new ObjectMapper().readTree(json.out());
        assertEquals(25, r.get("completion_tokens").asInt());
        assertEquals("length", r.get("finish_reason").asText());
        var stream = CliTest.cli("generate", model.toString(), "--prompt", "Call me", "--max-tokens", "25", "--top-k", "5",
                "--top-p", "0.9", "--repetition-penalty", "1.2", "--seed", "7", "--stream");
        assertEquals(0, stream.code(), stream.err());
        assertEquals("Call me" + r.get("text").asText(), stream.out().stripTrailing().replace("\r", ""),
                "same seed: the stream prints the same text");
    }

    @Test
    void greedyStopsAtStopSequence() throws Exception {
        var plain = CliTest.cli("generate", model.toString(), "--prompt", "The ", "--max-tokens", "40", "--greedy", "--json");
        String text = new ObjectMapper().readTree(plain.out()).get("text").asText();
        assertTrue(text.length() > 5, text);
        String stop = text.substring(3, 5);
        var stopped = CliTest.cli("generate", model.toString(), "--prompt", "The ", "--max-tokens", "40", "--greedy",
                "--stop", stop, "--json");
        JsonNode r = new ObjectMapper().readTree(stopped.out());
        assertEquals(text.substring(0, text.indexOf(stop)), r.get("text").asText());
        assertEquals("stop", r.get("finish_reason").asText());
    }

    @Test
    void exportsToOnnxWithTheSameLogits() throws Exception {
        Path onnx = dir.resolve("tiny-gpt.onnx");
        var export = CliTest.cli("export", model.toString(), "--out", onnx.toString());
        assertEquals(0, export.code(), export.err());
        var imported = gradus.io.onnx.Onnx.load(onnx);
        var gpt = (gradus.models.Gpt) gradus.io.ModelDirectory.load(model).model();
        var ids = gradus.tensor.IntTensor.of(new int[]{3, 1, 4, 1, 5, 9, 2, 6}, 2, 4);
        float[] expected = gpt.forward(ids).toArray();
        float[] actual = imported.predict(java.util.Map.of("input_ids", ids)).values().iterator().next().toArray();
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-4);
    }

    /** The trained character GPT as GGUF: Gradus's GGUF reader gets the same ids and (tanh vs erf GELU) the same logits. */
    @Test
    void exportsToGgufWithTheSameLogits() throws Exception {
        Path gguf = dir.resolve("tiny-gpt.gguf");
        var export = CliTest.cli("export", model.toString(), "--format", "gguf", "--out", gguf.toString());
        assertEquals(0, export.code(), export.err());
        var gpt = (gradus.models.Gpt) gradus.io.ModelDirectory.load(model).model();
        String prompt = "Call me Ishmael.";
        int[] ids = gradus.io.ModelDirectory.tokenizer(model).encode(prompt);
        float[] expected = gpt.forward(gradus.tensor.IntTensor.of(ids, 1, ids.length)).toArray();
        try (var lm = gradus.llm.GgufLanguageModel.open(gguf)) {
            assertArrayEquals(ids, lm.tokenizer().encode(prompt));
            var s = lm.decoder().newSequence(ids.length);
            int v = expected.length / ids.length;
            for (int i = 0; i < ids.length; i++) {
                float[] actual = lm.decoder().forward(s, ids[i]);
                for (int j = 0; j < v; j++) assertEquals(expected[i * v + j], actual[j], 2e-3, "position " + i + ", token " + j);
            }
        }
        var f16 = CliTest.cli("export", model.toString(), "--out", dir.resolve("tiny-gpt-f16.gguf").toString(), "--quant", "f16");
        assertEquals(0, f16.code(), f16.err());
        assertTrue(Files.size(dir.resolve("tiny-gpt-f16.gguf")) < Files.size(gguf));
        var bad = CliTest.cli("export", model.toString(), "--out", gguf.toString(), "--quant", "q3");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("--quant: expected f32 or f16"), bad.err());
    }

    @Test
    void badPromptsAreExplained() {
        var empty = CliTest.cli("generate", model.toString(), "--prompt", "");
        assertNotEquals(0, empty.code());
        assertTrue(empty.err().contains("prompt is empty"), empty.err());

        var unknown = CliTest.cli("generate", model.toString(), "--prompt", "whale \u2603\u2603", "--max-tokens", "3");
        assertEquals(0, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("not in the model's vocabulary"), unknown.err());

        var tooLong = CliTest.cli("generate", model.toString(), "--prompt", "x".repeat(40), "--max-tokens", "3");
        assertEquals(0, tooLong.code(), tooLong.err());
        assertTrue(tooLong.err().contains("more than the context of 16"), tooLong.err());

        var notLm = CliTest.cli("generate", dir.toString(), "--prompt", "hi");
        assertNotEquals(0, notLm.code());
    }
}
