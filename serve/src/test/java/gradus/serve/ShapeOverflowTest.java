package gradus.serve;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Element counts are exact: a shape whose product wraps around to the value count is refused. */
class ShapeOverflowTest {
    // 16 × 2147418113 × 429509837 × 5 ≡ 16 (mod 2^64): with wrapping arithmetic it passes for 16 values
    static final String HUGE = "[1,16,2147418113,429509837,5]";
    @TempDir
    static Path models;
    static GradusServer server;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        server = Fixtures.serveTiny(models);
        url = "http://127.0.0.1:" + server.port() + "/v2/models/tiny/infer";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void wrappingShapeInJsonIs400() throws Exception {
        String data = String.join(",", Collections.nCopies(16, "0.5"));
        var r = post(url, "{\"inputs\":[{\"name\":\"input\",\"shape\":" + HUGE + ",\"datatype\":\"FP32\",\"data\":[" + data + "]}]}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(json(r.body()).get("error").toString().contains("elements"), r.body());
    }

    @Test
    void wrappingShapeInBinaryIs400() throws Exception {
        byte[] header = ("{\"inputs\":[{\"name\":\"input\",\"shape\":" + HUGE
                + ",\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":64}}]}").getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(header.length + 64).order(ByteOrder.LITTLE_ENDIAN).put(header);
        var r = postBytes(url, body.array(), "Inference-Header-Content-Length", Integer.toString(header.length),
                "Content-Type", "application/octet-stream");
        assertEquals(400, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void negativeHeaderLengthIs400() throws Exception {
        String json = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,16],\"datatype\":\"FP32\",\"data\":[" + "0,".repeat(15) + "0]}]}";
        var r = postBytes(url, json.getBytes(StandardCharsets.UTF_8), "Inference-Header-Content-Length", "-5", "Content-Type", "application/json");
        assertEquals(400, r.statusCode(), "a negative length is not read as 'all JSON'");
    }

    @Test
    void parserCountsExactly() {
        String data = String.join(",", Collections.nCopies(784, "0"));
        var e = assertThrows(ApiException.class, () -> InferRequest.parse(("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784,2147418113,429509837,5],"
                + "\"datatype\":\"FP32\",\"data\":[" + data + "]}]}").getBytes(StandardCharsets.UTF_8), -1));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("[1, 784, 2147418113, 429509837, 5]"), e.getMessage());
    }
}
