package gradus.cli;

import gradus.data.datasets.FashionMnist;
import gradus.io.ModelDirectory;
import gradus.io.onnx.OnnxChecker;
import gradus.io.onnx.OrtRunner;
import gradus.serve.GradusServer;
import gradus.serve.ServeOptions;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A recipe's {@code scale: standard} is part of the saved model: the Java API, {@code gradus predict},
 * {@code POST /predict}, KServe v2 infer and ONNX Runtime on the export all give the same probabilities for
 * the same raw images (issue 14, item 9).
 */
class PreprocessingEverywhereTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] EXAMPLES = {0, 7, 42};
    private static final float TOLERANCE = 1e-5f;

    @TempDir
    static Path dir;
    static Path model;
    /** [3, 1, 28, 28] raw pixels of fashion-mnist-sample:test, as every client sends them. */
    static Tensor raw;
    /** The Java API's probabilities [3, 10], the reference for every other path. */
    static float[][] expected;

    @BeforeAll
    static void trainScaledModel() throws Exception {
        Path recipe = Files.writeString(dir.resolve("scaled.yaml"), """
                name: scaled-mlp
                seed: 5
                data: {train: fashion-mnist-sample:train, scale: standard}
                model:
                  type: Sequential
                  layers:
                    - {type: Flatten}
                    - {type: Linear, in: 784, out: 16}
                    - {type: ReLU}
                    - {type: Linear, in: 16, out: 10}
                training: {epochs: 1, batch_size: 100}
                """);
        CliTest.Run run = CliTest.cli("train", recipe.toString(), "--out", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, run.code(), run.err());
        model = dir.resolve("run/model");
        var test = FashionMnist.sample("test");
        raw = Tensor.stack(java.util.Arrays.stream(EXAMPLES).mapToObj(i -> test.get(new int[]{i}).x().select(0, 0)).toList(), 0);

        var loaded = ModelDirectory.load(model);
        expected = rows(loaded.predict(raw).softmax(1));
        float[][] unscaled = rows(loaded.model().predict(raw).softmax(1));
        assertTrue(maxDifference(expected, unscaled) > 0.05, "the scaler must matter for this test to mean anything");
    }

    @Test
    void cliPredictAgreesWithTheJavaApi() throws Exception {
        List<String> args = new ArrayList<>(List.of("predict", model.toString(), "--json", "--top", "10"));
        for (int i : EXAMPLES) args.add("fashion-mnist-sample:test#" + i);
        CliTest.Run run = CliTest.cli(args.toArray(new String[0]));
        assertEquals(0, run.code(), run.err());
        List<?> predictions = (List<?>) JSON.readValue(run.out(), Map.class).get("predictions");
        float[][] cli = new float[EXAMPLES.length][];
        for (int r = 0; r < cli.length; r++) cli[r] = byClass((Map<?, ?>) ((Map<?, ?>) predictions.get(r)).get("probabilities"));
        assertClose(expected, cli, "gradus predict");
    }

    @Test
    void bothHttpEndpointsApplyTheScalerAndKServeMetadataShowsIt() throws Exception {
        Path models = dir.resolve("models");
        copyModel(models.resolve("mlp/1"));
        try (GradusServer server = new GradusServer(ServeOptions.defaults().withModelsDir(models).withAddress("127.0.0.1", 0)
                .withReloadInterval(Duration.ZERO).withAccessLog(false)).start()) {
            String base = "http://127.0.0.1:" + server.port();
            List<List<Float>> features = new ArrayList<>();
            float[] flat = raw.toArray();
            for (int r = 0; r < EXAMPLES.length; r++) {
                List<Float> row = new ArrayList<>();
                for (int j = 0; j < 784; j++) row.add(flat[r * 784 + j]);
                features.add(row);
            }
            Map<?, ?> predict = post(base + "/predict/mlp", Map.of("features", features));
            List<?> predictions = (List<?>) predict.get("predictions");
            float[][] viaPredict = new float[EXAMPLES.length][];
            for (int r = 0; r < viaPredict.length; r++) viaPredict[r] = byClass((Map<?, ?>) ((Map<?, ?>) predictions.get(r)).get("probabilities"));
            assertClose(expected, viaPredict, "POST /predict");

            List<Float> data = new ArrayList<>();
            for (float v : flat) data.add(v);
            Map<?, ?> infer = post(base + "/v2/models/mlp/infer", Map.of("inputs", List.of(Map.of("name", "input", "datatype", "FP32",
                    "shape", List.of(EXAMPLES.length, 1, 28, 28), "data", data)), "outputs", List.of(Map.of("name", "probabilities"))));
            List<?> out = (List<?>) ((Map<?, ?>) ((List<?>) infer.get("outputs")).getFirst()).get("data");
            float[][] viaKServe = new float[EXAMPLES.length][10];
            for (int i = 0; i < out.size(); i++) viaKServe[i / 10][i % 10] = ((Number) out.get(i)).floatValue();
            assertClose(expected, viaKServe, "KServe v2 infer");

            var metadata = JSON.readValue(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v2/models/mlp")).build(),
                    HttpResponse.BodyHandlers.ofString()).body(), Map.class);
            Map<?, ?> scaler = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) metadata.get("parameters")).get("preprocessing")).get("scaler");
            assertEquals("standard", scaler.get("type"), metadata.toString());
            assertEquals(784, ((List<?>) scaler.get("mean")).size());
        }
    }

    @Test
    void onnxExportCarriesTheScalerAsGraphNodes() throws Exception {
        Path onnx = dir.resolve("scaled.onnx");
        CliTest.Run run = CliTest.cli("export", model.toString(), "--out", onnx.toString());
        assertEquals(0, run.code(), run.err());
        OnnxChecker.assertValid(onnx);
        try (OrtRunner ort = new OrtRunner(onnx, 1)) {
            assertClose(expected, rows(ort.run(Map.of("input", raw)).softmax(1)), "ONNX Runtime on the export");
        }
    }

    private static void copyModel(Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
    }

    private static Map<?, ?> post(String url, Object body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readValue(r.body(), Map.class);
    }

    /** Probabilities keyed by class name, in the class order of FashionMnist.CLASS_NAMES. */
    private static float[] byClass(Map<?, ?> probabilities) {
        float[] p = new float[FashionMnist.CLASS_NAMES.size()];
        for (int c = 0; c < p.length; c++) p[c] = ((Number) probabilities.get(FashionMnist.CLASS_NAMES.get(c))).floatValue();
        return p;
    }

    private static float[][] rows(Tensor t) {
        float[][] out = new float[t.size(0)][];
        for (int r = 0; r < out.length; r++) out[r] = t.select(0, r).toArray();
        return out;
    }

    private static double maxDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int r = 0; r < a.length; r++) for (int c = 0; c < a[r].length; c++) max = Math.max(max, Math.abs(a[r][c] - b[r][c]));
        return max;
    }

    private static void assertClose(float[][] expected, float[][] actual, String path) {
        double d = maxDifference(expected, actual);
        assertTrue(d <= TOLERANCE, path + " differs from the Java API by up to " + d);
    }
}
