package gradus.serve;

import gradus.explain.IntegratedGradients;
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
