package gradus.serve;

import gradus.explain.ExplainRequest;
import gradus.explain.Explanations;
import gradus.explain.IntegratedGradients;
import gradus.inference.Predictor;
import gradus.serve.text.SavedTextModels;
import gradus.serve.text.TextModels;
import gradus.explain.Saliency;
import gradus.nn.Sequential;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static gradus.serve.Fixtures.*;
import static gradus.serve.KServeApiTest.list;
import static org.junit.jupiter.api.Assertions.*;

/** POST /v2/models/{name}/explain over HTTP: the same numbers as the Java API, and bad requests answered 400. */
class ExplainApiTest {
    @TempDir
    static Path models;
    @TempDir
    static Path texts;
    static GradusServer server;
    static Sequential model;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        server = serveTiny(models);
        model = Fixtures.tinyModel(1); // the same weights as the served tiny/1
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<Float> floats(Object o) {
        return ((List<?>) o).stream().map(v -> ((Number) v).floatValue()).toList();
    }

    @Test
    void integratedGradientsAndSaliencyEqualTheJavaApi() throws Exception {
        float[] x = KServeApiTest.input(3);
        String body = "{\"method\":\"ig\",\"steps\":32,\"target\":2,\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,4,4],\"datatype\":\"FP32\",\"data\":"
                + list(x) + "}]}";
        var res = post(base + "/v2/models/tiny/explain", body);
        assertEquals(200, res.statusCode(), res.body());
        Map<String, Object> out = json(res.body());
        assertEquals("tiny", out.get("model_name"));
        assertEquals("two", out.get("class"));
        assertEquals(List.of(1, 1, 4, 4), out.get("shape"));
        Tensor input = Tensor.of(x, 1, 1, 4, 4);
        float[] expected = new IntegratedGradients(model::forward).steps(32).attribute(input, 2).attributions().toArray();
        List<Float> got = floats(out.get("attributions"));
        for (int i = 0; i < 16; i++) assertEquals(expected[i], got.get(i), 1e-6, "element " + i);
        assertTrue(Math.abs(((Number) out.get("gap")).doubleValue()) < 1e-3, out.get("gap").toString());

        var sal = json(post(base + "/v2/models/tiny/explain", "{\"method\":\"saliency\",\"target\":0,\"features\":" + list(x) + "}").body());
        float[] s = Saliency.saliency(model::forward, input, 0).toArray();
        List<Float> gotS = floats(sal.get("attributions"));
        for (int i = 0; i < 16; i++) assertEquals(s[i], gotS.get(i), 1e-6);
    }

    /** A Transformer text classifier: per-token IG equal to the Java API's, attention per layer and head whose rows are distributions. */
    @Test
    @SuppressWarnings("unchecked")
    void aTextClassifierIsExplainedTokenByTokenWithItsAttention() throws Exception {
        Path dir = Fixtures.saveTextClassifier(texts, "words");
        try (GradusServer s = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withAccessLog(false),
                SavedTextModels.load(texts, new TextModels())).start()) {
            String url = "http://127.0.0.1:" + s.port() + "/v2/models/words/explain";
            String text = "click here to win free money";
            var ig = post(url, "{\"text\": \"" + text + "\", \"method\": \"ig\", \"steps\": 32, \"target\": 1}");
            assertEquals(200, ig.statusCode(), ig.body());
            Map<String, Object> out = json(ig.body());
            assertEquals(List.of(text.split(" ")), out.get("tokens"));
            assertEquals("spam", out.get("class"));
            Map<String, Object> java = Explanations.explainText(Predictor.load(dir), text, new ExplainRequest("ig", 1, 32, null, null, null, null, null, null));
            List<Float> expected = floats(java.get("attributions")), got = floats(out.get("attributions"));
            assertEquals(6, got.size());
            for (int i = 0; i < 6; i++) assertEquals(expected.get(i), got.get(i), 1e-6, "token " + i);

            var att = json(post(url, "{\"text\": \"" + text + "\", \"method\": \"attention\"}").body());
            var layers = (List<List<List<List<Number>>>>) att.get("attention");
            assertEquals(2, layers.size());
            for (var heads : layers) {
                assertEquals(2, heads.size());
                for (var rows : heads) {
                    assertEquals(6, rows.size());
                    for (var row : rows) {
                        assertEquals(6, row.size());
                        assertEquals(1.0, row.stream().mapToDouble(Number::doubleValue).sum(), 1e-5, "softmax row " + row);
                    }
                }
            }

            var wrong = post(url, "{\"text\": \"" + text + "\", \"method\": \"gradcam\"}");
            assertEquals(400, wrong.statusCode());
            assertTrue(wrong.body().contains("does not apply to text"), wrong.body());
            var noText = post(url, "{\"features\": [1, 2]}");
            assertEquals(400, noText.statusCode());
            assertTrue(noText.body().contains("{\\\"text\\\""), noText.body());
        }
    }

    @Test
    void shapAddsUpToTheOutputChange() throws Exception {
        float[] x = KServeApiTest.input(4);
        var out = json(post(base + "/v2/models/tiny/explain", "{\"method\":\"shap\",\"window\":2,\"features\":" + list(x) + "}").body());
        assertEquals(0, ((Number) out.get("efficiency_gap")).doubleValue(), 1e-4);
        assertEquals(Boolean.TRUE, out.get("exact"), "4 grid cells: exact Shapley values");
    }

    @Test
    void badRequestsGet400WithAClearMessage() throws Exception {
        float[] x = KServeApiTest.input(1);
        var cases = Map.of(
                "{\"method\":\"magic\",\"features\":" + list(x) + "}", "unknown method 'magic'",
                "{\"method\":\"ig\",\"features\":[1,2,3]}", "takes 16 values per example (shape [1, 4, 4]), got 3",
                "{\"method\":\"ig\",\"target\":5,\"features\":" + list(x) + "}", "target 5 is out of range: the model has 3 outputs (0..2)",
                "{\"method\":\"ig\"}", "expected the example as \"inputs\"",
                "{\"method\":\"ig\",\"steps\":\"many\",\"features\":" + list(x) + "}", "\"steps\" must be an integer, got many",
                "{\"method\":\"gradcam\",\"features\":" + list(x) + "}", "no Conv2d layer found",
                "{\"method\":\"ig\",\"features\":[\"a\"]}", "input: expected numbers, got \"a\"");
        for (var c : cases.entrySet()) {
            var res = post(base + "/v2/models/tiny/explain", c.getKey());
            assertEquals(400, res.statusCode(), c.getKey() + " → " + res.body());
            assertTrue(json(res.body()).get("error").toString().contains(c.getValue()), c.getKey() + " → " + res.body());
        }
        assertEquals(404, post(base + "/v2/models/nope/explain", "{\"features\":[1]}").statusCode());
    }
}
