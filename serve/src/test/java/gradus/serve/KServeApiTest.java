package gradus.serve;

import gradus.nn.Sequential;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** KServe v2 and /predict over HTTP against a server on a free port, including bad input. */
class KServeApiTest {
    @TempDir
    static Path models;
    static GradusServer server;
    static Sequential model;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        model = Fixtures.save(models, "tiny", "1", 1);
        server = new GradusServer(ServeOptions.defaults().withModelsDir(models).withAddress("127.0.0.1", 0)
                .withLimits(4096, Duration.ofSeconds(10), 0, 64).withReloadInterval(Duration.ZERO).withAccessLog(false)).start();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static float[] input(long seed) {
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) x[i] = (float) Math.sin(seed * 31 + i);
        return x;
    }

    /** The model's output for one example alone: the server's, bit for bit, however it batched the request. */
    static float[] expected(float[] x) {
        return model.predict(Tensor.of(x, 1, 1, 4, 4)).toArray();
    }

    @Test
    void healthAndMetadata() throws Exception {
        assertEquals(200, get(base + "/v2/health/live").statusCode());
        assertEquals(200, get(base + "/v2/health/ready").statusCode());
        var v2 = json(get(base + "/v2").body());
        assertEquals("gradus", v2.get("name"));
        assertTrue(((List<?>) v2.get("extensions")).contains("binary_tensor_data"));
        var meta = json(get(base + "/v2/models/tiny").body());
        assertEquals("tiny", meta.get("name"));
        assertEquals(List.of("1"), meta.get("versions"));
        assertEquals(List.of(Map.of("name", "input", "datatype", "FP32", "shape", List.of(-1, 1, 4, 4))), meta.get("inputs"));
        assertEquals(200, get(base + "/v2/models/tiny/versions/1/ready").statusCode());
        var missing = get(base + "/v2/models/nope");
        assertEquals(404, missing.statusCode());
        assertEquals("unknown model 'nope'", json(missing.body()).get("error"));
        assertEquals(404, get(base + "/v2/models/tiny/versions/7/ready").statusCode());
        var noRoute = get(base + "/nowhere");
        assertEquals(404, noRoute.statusCode());
        assertTrue(json(noRoute.body()).get("error").toString().contains("/nowhere"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonInferenceMatchesTheModel() throws Exception {
        float[] a = input(1), b = input(2);
        String body = "{\"id\":\"req-7\",\"inputs\":[{\"name\":\"input\",\"shape\":[2,1,4,4],\"datatype\":\"FP32\",\"data\":"
                + list(a, b) + "}],\"outputs\":[{\"name\":\"output\"},{\"name\":\"probabilities\"}]}";
        var res = post(base + "/v2/models/tiny/infer", body);
        assertEquals(200, res.statusCode(), res.body());
        var out = json(res.body());
        assertEquals("tiny", out.get("model_name"));
        assertEquals("req-7", out.get("id"));
        var outputs = (List<Map<String, Object>>) out.get("outputs");
        assertEquals(List.of(2, 3), outputs.get(0).get("shape"));
        List<Number> data = (List<Number>) outputs.get(0).get("data");
        float[] ea = expected(a), eb = expected(b);
        for (int i = 0; i < 3; i++) {
            assertEquals(ea[i], data.get(i).floatValue(), 0f);
            assertEquals(eb[i], data.get(3 + i).floatValue(), 0f);
        }
        List<Number> p = (List<Number>) outputs.get(1).get("data");
        assertEquals(1.0, p.get(0).doubleValue() + p.get(1).doubleValue() + p.get(2).doubleValue(), 1e-6);
        // nested data is accepted too
        var nested = post(base + "/v2/models/tiny/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,4,4],\"datatype\":\"FP32\","
                + "\"data\":[[[[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]]]}]}");
        assertEquals(200, nested.statusCode(), nested.body());
        float[] ints = new float[16];
        for (int i = 0; i < 16; i++) ints[i] = i + 1;
        var first = ((List<Map<String, Object>>) json(nested.body()).get("outputs")).getFirst();
        assertEquals(expected(ints)[2], ((List<Number>) first.get("data")).get(2).floatValue(), 0f);
    }

    @Test
    void binaryTensorExtension() throws Exception {
        float[] a = input(3);
        String header = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,4,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":64}}],"
                + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(h.length + 64).order(ByteOrder.LITTLE_ENDIAN).put(h);
        for (float v : a) body.putFloat(v);
        var res = postBytes(base + "/v2/models/tiny/infer", body.array(), "Inference-Header-Content-Length", Integer.toString(h.length),
                "Content-Type", "application/octet-stream");
        assertEquals(200, res.statusCode(), new String(res.body(), StandardCharsets.UTF_8));
        int jsonLength = Integer.parseInt(res.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        var meta = json(new String(res.body(), 0, jsonLength, StandardCharsets.UTF_8));
        assertTrue(meta.toString().contains("binary_data_size=12"), meta.toString());
        ByteBuffer out = ByteBuffer.wrap(res.body(), jsonLength, 12).order(ByteOrder.LITTLE_ENDIAN);
        float[] e = expected(a);
        for (int i = 0; i < 3; i++) assertEquals(e[i], out.getFloat(), 0f);
        // a size that does not match the shape is a 400, not a crash
        var bad = postBytes(base + "/v2/models/tiny/infer", body.array(), "Inference-Header-Content-Length", Integer.toString(h.length - 1));
        assertEquals(400, bad.statusCode());
    }

    @Test
    void malformedInputIsA400AndTheServerStaysUp() throws Exception {
        String[] bodies = {"{", "[]", "{\"inputs\":[]}", "{\"inputs\":5}", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,16],\"datatype\":\"FP32\",\"data\":[1,2]}]}",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,15],\"datatype\":\"FP32\",\"data\":" + list(new float[15]) + "}]}",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,16],\"datatype\":\"FP32\",\"data\":" + list(new float[16]) + "}]}",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,16],\"datatype\":\"BYTES\",\"data\":" + list(new float[16]) + "}]}",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,16],\"datatype\":\"FP32\",\"data\":[\"a\"]}]}",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[-1,16],\"datatype\":\"FP32\",\"data\":[]}]}",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,4,4],\"datatype\":\"FP32\",\"data\":" + list(new float[16]) + "}],\"outputs\":[{\"name\":\"nope\"}]}",
                "[".repeat(2000)};
        for (String b : bodies) {
            var res = post(base + "/v2/models/tiny/infer", b);
            assertEquals(400, res.statusCode(), b + " → " + res.body());
            assertInstanceOf(String.class, json(res.body()).get("error"), res.body());
        }
        var big = post(base + "/v2/models/tiny/infer", "{\"inputs\":[" + " ".repeat(5000) + "]}");
        assertEquals(413, big.statusCode());
        assertTrue(json(big.body()).get("error").toString().contains("4096"));
        assertEquals(404, post(base + "/v2/models/nope/infer", "{}").statusCode());
        assertEquals(200, get(base + "/v2/health/ready").statusCode());
    }

    @Test
    @SuppressWarnings("unchecked")
    void predictTakesFeaturesAndImages() throws Exception {
        float[] a = input(4);
        var res = post(base + "/predict/tiny", "{\"features\": " + list(a) + "}");
        assertEquals(200, res.statusCode(), res.body());
        var pred = ((List<Map<String, Object>>) json(res.body()).get("predictions")).getFirst();
        float[] e = expected(a);
        int best = e[0] >= e[1] && e[0] >= e[2] ? 0 : e[1] >= e[2] ? 1 : 2;
        assertEquals(CLASSES.get(best), pred.get("class"));
        assertEquals(3, ((Map<String, Object>) pred.get("probabilities")).size());

        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) img.getRaster().setSample(x, y, 0, x < 4 ? 255 : 0);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        var imgRes = postBytes(base + "/predict/tiny", png.toByteArray(), "Content-Type", "image/png");
        assertEquals(200, imgRes.statusCode(), new String(imgRes.body()));
        float[] left = new float[16];
        for (int i = 0; i < 16; i++) left[i] = i % 4 < 2 ? 1f : 0f; // 8x8 halves scaled to 4x4
        float[] el = expected(left);
        int bestImg = el[0] >= el[1] && el[0] >= el[2] ? 0 : el[1] >= el[2] ? 1 : 2;
        var p = ((List<Map<String, Object>>) json(new String(imgRes.body())).get("predictions")).getFirst();
        assertEquals(CLASSES.get(bestImg), p.get("class"));
        assertEquals(400, postBytes(base + "/predict/tiny", new byte[]{1, 2, 3}, "Content-Type", "image/png").statusCode());
        assertEquals(400, post(base + "/predict/tiny", "{\"features\": [1,2]}").statusCode());
    }

    @Test
    void metricsCountRequestsPerModelAndStatus() throws Exception {
        post(base + "/v2/models/tiny/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,4,4],\"datatype\":\"FP32\",\"data\":" + list(input(5)) + "}]}");
        post(base + "/v2/models/tiny/infer", "{");
        String m = get(base + "/metrics").body();
        assertTrue(m.contains("gradus_requests_total{endpoint=\"infer\",model=\"tiny\",status=\"200\"}"), m);
        assertTrue(m.contains("gradus_requests_total{endpoint=\"infer\",model=\"tiny\",status=\"400\"}"), m);
        assertTrue(m.contains("gradus_request_duration_seconds_bucket{endpoint=\"infer\",model=\"tiny\",status=\"200\",le=\"0.005\"}"), m);
        assertTrue(m.contains("gradus_batch_size_count{model=\"tiny\"}"), m);
        assertTrue(m.contains("gradus_queue_depth{model=\"tiny/1\"}"), m);
        assertTrue(m.contains("jvm_memory_used_bytes"), m);
    }

    static String list(float[]... rows) {
        StringBuilder sb = new StringBuilder("[");
        for (float[] r : rows) for (float v : r) sb.append(sb.length() > 1 ? "," : "").append(v);
        return sb.append(']').toString();
    }
}
