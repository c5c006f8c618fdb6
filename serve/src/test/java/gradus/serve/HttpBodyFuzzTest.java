package gradus.serve;

import gradus.fuzz.Fuzzer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static gradus.serve.Fixtures.*;

/** Mutated bodies sent to a real server: every answer is below 500, and every error is a JSON body. */
class HttpBodyFuzzTest {
    @TempDir
    static Path models;
    static GradusServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        server = Fixtures.serveTiny(models);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Posts the body; a 5xx, or an error that is not a JSON object, is a finding. */
    static Fuzzer.Target posting(String path, String... headers) {
        return body -> {
            var r = postBytes(base + path, body, headers);
            String text = new String(r.body(), StandardCharsets.UTF_8);
            if (r.statusCode() >= 500) throw new AssertionError(r.statusCode() + " from " + path + ": " + text);
            if (r.statusCode() >= 400 && !(Http.JSON.readValue(text, Object.class) instanceof java.util.Map<?, ?> m && m.containsKey("error"))) {
                throw new AssertionError(r.statusCode() + " without a JSON error from " + path + ": " + text);
            }
        };
    }

    static Fuzzer campaign(String name, Fuzzer.Target target) {
        // the client's own allocation counts here, not the server's: a loose bound
        return Fuzzer.of(name, target).iterations(1000).allocationLimit(64, 64L << 20);
    }

    @Test
    void kserveJson() {
        campaign("http-kserve-json", posting("/v2/models/tiny/infer", "Content-Type", "application/json"))
                .seed("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,4,4],\"datatype\":\"FP32\",\"data\":[" + "0.5,".repeat(15) + "1]}]}")
                .dictionary(InferRequestFuzzTest.WORDS).run();
    }

    @Test
    void kserveBinary() {
        byte[] header = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,4,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":64}}]}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(header, header.length + 64);
        campaign("http-kserve-binary", posting("/v2/models/tiny/infer", "Content-Type", "application/octet-stream",
                "Inference-Header-Content-Length", Integer.toString(header.length)))
                .seed(body).dictionary(InferRequestFuzzTest.WORDS).run();
    }

    @Test
    void openAi() {
        campaign("http-openai-chat", posting("/v1/chat/completions", "Content-Type", "application/json"))
                .seed("{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4,\"stream\":true}")
                .dictionary(OpenAiRequestFuzzTest.WORDS).run();
        campaign("http-openai-embeddings", posting("/v1/embeddings", "Content-Type", "application/json"))
                .seed("{\"model\":\"tiny\",\"input\":[\"a\"]}").dictionary(OpenAiRequestFuzzTest.WORDS).run();
    }

    @Test
    void predictJsonAndImages() throws Exception {
        campaign("http-predict-json", posting("/predict/tiny", "Content-Type", "application/json"))
                .seed("{\"features\": [[" + "0,".repeat(15) + "1]]}").run();
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        img.setRGB(3, 3, 0xffffff);
        ByteArrayOutputStream png = new ByteArrayOutputStream(), jpg = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        ImageIO.write(img, "jpg", jpg);
        campaign("http-predict-image", posting("/predict/tiny", "Content-Type", "image/png"))
                .seed(png.toByteArray()).seed(jpg.toByteArray()).run();
    }
}
