package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** `gradus explain` on a Transformer text classifier: token attributions, attention per layer and head, LIME over words. */
class ExplainTextTest {
    @TempDir
    static Path dir;
    static Path model;
    static final String TEXT = "click here to win free money now";

    @BeforeAll
    static void train() throws Exception {
        Path recipe = Files.writeString(dir.resolve("spam.yaml"), """
                name: spam-transformer
                seed: 0
                data:
                  train: spam-assassin-sample:train
                  tokenizer: {type: word, max_vocab: 2000}
                  max_length: 32
                model: {type: TransformerClassifier, width: 16, heads: 2, layers: 2, dropout: 0}
                optimizer: {type: adam, lr: 0.003}
                training: {epochs: 1, batch_size: 32}
                """);
        CliTest.Run run = CliTest.cli("train", recipe.toString(), "--out", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, run.code(), run.err());
        model = dir.resolve("run/model");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> explain(String method) throws Exception {
        CliTest.Run r = CliTest.cli("explain", model.toString(), "--text", TEXT, "--method", method, "--steps", "64", "--samples", "200", "--json");
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readValue(r.out(), Map.class);
    }

    @Test
    @SuppressWarnings("unchecked")
    void tokensGetIntegratedGradientsAndAttention() throws Exception {
        var ig = explain("ig");
        List<String> tokens = (List<String>) ig.get("tokens");
        assertEquals(7, tokens.size(), tokens.toString());
        assertEquals(tokens.size(), ((List<?>) ig.get("attributions")).size());
        double sum = 0;
        for (Object a : (List<Object>) ig.get("attributions")) sum += ((Number) a).doubleValue();
        double gap = ((Number) ig.get("gap")).doubleValue();
        assertTrue(Math.abs(gap) <= 0.01 * Math.abs(sum - gap) + 1e-4, "gap " + gap + " of " + (sum - gap));

        var att = explain("attention");
        var layers = (List<List<List<List<Number>>>>) att.get("attention");
        assertEquals(2, layers.size());
        assertEquals(2, layers.getFirst().size());
        assertEquals(7, layers.getFirst().getFirst().size());
        assertEquals(7, ((List<?>) att.get("attributions")).size(), "rollout per token");

        var lime = explain("lime");
        assertEquals(List.of(TEXT.split(" ")), lime.get("tokens"));
        assertTrue(lime.containsKey("fidelity"));

        CliTest.Run text = CliTest.cli("explain", model.toString(), "--text", TEXT, "--method", "gradxinput");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("money"), text.out());
        Path html = dir.resolve("tokens.html");
        assertEquals(0, CliTest.cli("explain", model.toString(), "--text", TEXT, "--method", "ig", "--out", html.toString()).code());
        String page = Files.readString(html);
        assertTrue(page.contains("<span title=") && page.contains("money</span>"), page);
        CliTest.Run bad = CliTest.cli("explain", model.toString(), "--text", TEXT, "--method", "gradcam");
        assertTrue(bad.err().contains("does not apply to text"), bad.err());
    }
}
