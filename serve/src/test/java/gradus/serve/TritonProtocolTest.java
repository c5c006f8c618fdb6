package gradus.serve;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * KServe v2 as Triton's HTTP clients speak it, in raw HTTP following Triton's binary tensor extension
 * (Inference-Header-Content-Length, binary_data_size, binary_data / binary_data_output) and its request
 * compression (Content-Encoding gzip or deflate): no Triton client library is published where this build can
 * fetch it (tritonclient is on PyPI only), so the tests write its wire format themselves.
 */
@SuppressWarnings("unchecked")
class TritonProtocolTest {
    static final int LIMIT = 64 * 1024;
    @TempDir
    static Path models;
    static GradusServer server;
    static String infer;

    @BeforeAll
    static void start() throws Exception {
        RunFixtures.fashionModel(models.resolve("fashion/1")); // input_shape [1, 28, 28], ten classes
        server = new GradusServer(ServeOptions.defaults().withModelsDir(models).withAddress("127.0.0.1", 0)
                .withLimits(LIMIT, Duration.ofSeconds(10), 0, 64).withReloadInterval(Duration.ZERO).withAccessLog(false)).start();
        infer = "http://127.0.0.1:" + server.port() + "/v2/models/fashion/infer";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String image(String datatype, String shape, String extra) {
        return "{\"inputs\":[{\"name\":\"input\",\"shape\":" + shape + ",\"datatype\":\"" + datatype + "\",\"data\":"
                + KServeApiTest.list(new float[784]) + "}]" + extra + "}";
    }

    @Test
    void anOutputsBinaryDataOverridesTheRequestLevelSettingBothWays() throws Exception {
        var jsonOverBinary = Reply.of(postBytes(infer, bytes(image("FP32", "[1,1,28,28]", ",\"parameters\":{\"binary_data_output\":true},"
                + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":false}},{\"name\":\"probabilities\"}]"))));
        assertEquals(10, jsonOverBinary.data(0).size(), "binary_data false keeps this output in JSON");
        assertEquals(40L, jsonOverBinary.binarySize(1), "the other output follows binary_data_output");
        assertEquals(1.0, jsonOverBinary.floats(0, 10).stream().mapToDouble(Float::doubleValue).sum(), 1e-5, "probabilities after the header");

        var binaryOverJson = Reply.of(postBytes(infer, bytes(image("FP32", "[1,1,28,28]", ",\"parameters\":{\"binary_data_output\":false},"
                + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}},{\"name\":\"probabilities\"}]"))));
        assertEquals(40L, binaryOverJson.binarySize(0));
        assertEquals(10, binaryOverJson.data(1).size());
        assertEquals(jsonOverBinary.data(0).stream().map(Number::floatValue).toList(), binaryOverJson.floats(0, 10), "the same logits either way");
    }

    @Test
    void gzipAndDeflateBodiesAreInflated() throws Exception {
        String request = image("FP32", "[1,1,28,28]", "");
        var plain = postBytes(infer, bytes(request));
        assertEquals(200, plain.statusCode());
        for (var encoded : Map.of("gzip", gzip(bytes(request)), "deflate", zlib(bytes(request), false), "Deflate", zlib(bytes(request), true)).entrySet()) {
            var r = postBytes(infer, encoded.getValue(), "Content-Encoding", encoded.getKey(), "Content-Type", "application/json");
            assertEquals(200, r.statusCode(), encoded.getKey() + ": " + new String(r.body(), StandardCharsets.UTF_8));
            assertArrayEquals(plain.body(), r.body(), encoded.getKey());
        }
        // a binary request compressed whole: the header length counts the uncompressed JSON, as Triton's client sends it
        byte[] header = bytes("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":3136}}]}");
        byte[] body = ByteBuffer.allocate(header.length + 3136).order(ByteOrder.LITTLE_ENDIAN).put(header).array();
        var binary = postBytes(infer, gzip(body), "Content-Encoding", "gzip", "Inference-Header-Content-Length", Integer.toString(header.length),
                "Content-Type", "application/octet-stream");
        assertEquals(200, binary.statusCode(), new String(binary.body(), StandardCharsets.UTF_8));
        assertArrayEquals(plain.body(), binary.body());
    }

    @Test
    void badOrUnknownEncodingsGetJsonErrors() throws Exception {
        var brotli = postBytes(infer, bytes(image("FP32", "[1,1,28,28]", "")), "Content-Encoding", "br");
        assertEquals(415, brotli.statusCode());
        assertEquals("Content-Encoding 'br' is not supported; send gzip, deflate or identity", error(brotli));
        var corrupt = postBytes(infer, bytes("not gzip at all"), "Content-Encoding", "gzip");
        assertEquals(400, corrupt.statusCode());
        assertTrue(error(corrupt).startsWith("the gzip request body is corrupt or truncated"), error(corrupt));
        byte[] whole = gzip(bytes(image("FP32", "[1,1,28,28]", "")));
        var truncated = postBytes(infer, java.util.Arrays.copyOf(whole, whole.length / 2), "Content-Encoding", "gzip");
        assertEquals(400, truncated.statusCode());
        assertTrue(error(truncated).contains("corrupt or truncated"), error(truncated));
    }

    /** An endless gzip stream of zeros, sent chunked: the server stops inflating at its limit and answers, or this never ends. */
    @Test
    void aZipBombStopsAtTheLimit() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream raw = s.getOutputStream();
            raw.write(bytes("POST /v2/models/fashion/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"));
            Thread bomb = Thread.ofVirtual().start(() -> {
                try (OutputStream gz = new GZIPOutputStream(new Chunked(raw))) {
                    byte[] zeros = new byte[1 << 16];
                    while (!Thread.currentThread().isInterrupted()) gz.write(zeros);
                } catch (IOException closed) { // the server or the test closed the connection
                }
            });
            String reply = readReply(s.getInputStream());
            bomb.interrupt();
            assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
            assertTrue(reply.contains("{\"error\":\"request body exceeds the limit of " + LIMIT + " bytes once decompressed\"}"), reply);
        }
        assertEquals(200, get("http://127.0.0.1:" + server.port() + "/v2/health/ready").statusCode(), "the server serves on");
    }

    @Test
    void otherDatatypesAndShapesAreRefusedAsTritonDoes() throws Exception {
        var fp64 = postBytes(infer, bytes(image("FP64", "[1,1,28,28]", "")));
        assertEquals(400, fp64.statusCode());
        assertEquals("inference input 'input' data-type is 'FP64', but model 'fashion' expects 'FP32'", error(fp64));
        byte[] header = bytes("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],\"datatype\":\"UINT8\",\"parameters\":{\"binary_data_size\":784}}]}");
        var uint8 = postBytes(infer, java.util.Arrays.copyOf(header, header.length + 784), "Inference-Header-Content-Length",
                Integer.toString(header.length), "Content-Type", "application/octet-stream");
        assertEquals(400, uint8.statusCode());
        assertEquals("inference input 'input' data-type is 'UINT8', but model 'fashion' expects 'FP32'", error(uint8));

        var flat = postBytes(infer, bytes(image("FP32", "[1,784]", "")));
        assertEquals(400, flat.statusCode());
        assertEquals("unexpected shape for input 'input' for model 'fashion'. Expected [-1,1,28,28], got [1,784]", error(flat));
        var unbatched = postBytes(infer, bytes(image("FP32", "[1,28,28]", "")));
        assertEquals(400, unbatched.statusCode());
        assertTrue(error(unbatched).endsWith("got [1,28,28]; the first dimension is the batch size: send [1,1,28,28] for one example"),
                error(unbatched));
    }

    /** An inference reply: its JSON header and, after it, the binary outputs in order. */
    record Reply(Map<String, Object> json, ByteBuffer binary) {
        static Reply of(java.net.http.HttpResponse<byte[]> r) throws IOException {
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            int length = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
            return new Reply(Fixtures.json(new String(r.body(), 0, length, StandardCharsets.UTF_8)),
                    ByteBuffer.wrap(r.body(), length, r.body().length - length).slice().order(ByteOrder.LITTLE_ENDIAN));
        }

        Map<String, Object> output(int i) {
            return ((List<Map<String, Object>>) json.get("outputs")).get(i);
        }

        List<Number> data(int i) {
            assertFalse(output(i).containsKey("parameters"), output(i).toString());
            return (List<Number>) output(i).get("data");
        }

        long binarySize(int i) {
            assertFalse(output(i).containsKey("data"), output(i).toString());
            return ((Number) ((Map<String, Object>) output(i).get("parameters")).get("binary_data_size")).longValue();
        }

        List<Float> floats(int from, int count) {
            Float[] out = new Float[count];
            for (int k = 0; k < count; k++) out[k] = binary.getFloat(4 * (from + k));
            return List.of(out);
        }
    }

    private static String error(java.net.http.HttpResponse<byte[]> r) throws IOException {
        return (String) json(new String(r.body(), StandardCharsets.UTF_8)).get("error");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    /** HTTP's deflate: zlib-wrapped, or raw as some clients send it. */
    private static byte[] zlib(byte[] b, boolean raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, raw))) {
            z.write(b);
        }
        return out.toByteArray();
    }

    /** The status line, headers and (Content-Length) body of one HTTP response. */
    private static String readReply(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) break;
            head.write(c);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int length = headers.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
                .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** HTTP/1.1 chunked transfer coding over a socket. */
    private static final class Chunked extends OutputStream {
        private final OutputStream out;

        Chunked(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) return;
            out.write(bytes(Integer.toHexString(len) + "\r\n"));
            out.write(b, off, len);
            out.write(bytes("\r\n"));
        }
    }
}
