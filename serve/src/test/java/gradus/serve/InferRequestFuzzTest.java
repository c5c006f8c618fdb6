package gradus.serve;

import gradus.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** KServe v2 bodies, JSON and binary (Triton's extension): every bad one is a 400 with a message, never a JDK exception. */
class InferRequestFuzzTest {
    static final String[] WORDS = {"\"inputs\"", "\"outputs\"", "\"name\"", "\"shape\"", "\"datatype\"", "\"data\"", "\"parameters\"",
            "\"binary_data_size\"", "\"binary_data\"", "\"binary_data_output\"", "\"id\"", "\"FP32\"", "\"FP16\"", "\"BF16\"",
            "\"INT64\"", "\"UINT64\"", "\"BOOL\"", "\"BYTES\"", "\"input\"", "[1,16]", "[2147483647,2147483647]", "-0", "1e-45", "3.4e39"};

    static final String JSON = "{\"id\":\"r1\",\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[[0.5,1,-2e3,4]]}],"
            + "\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"binary_data\":false}}],\"parameters\":{\"binary_data_output\":false}}";

    @Test
    void fuzzJsonBodies() {
        Fuzzer.of("kserve-json", body -> InferRequest.parse(body, -1))
                .seed(JSON)
                .seed("{\"inputs\":[{\"name\":\"input\",\"shape\":[2,2],\"datatype\":\"BOOL\",\"data\":[true,false,true,true]}]}")
                .seed("{\"inputs\":[{\"name\":\"a\",\"shape\":[3],\"datatype\":\"INT64\",\"data\":[1,2,3]},"
                        + "{\"name\":\"b\",\"shape\":[0],\"datatype\":\"FP64\",\"data\":[]}]}")
                .dictionary(WORDS)
                .expect(ApiException.class)
                .iterations(150000)
                .run();
    }

    /** The first two bytes (little-endian) are the Inference-Header-Content-Length, so the fuzzer varies it too. */
    static byte[] binary(String header, byte[] tensor) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + h.length + tensor.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putShort((short) h.length).put(h).put(tensor).array();
    }

    @Test
    void fuzzBinaryBodies() {
        byte[] floats = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(-2).putFloat(0.5f).putFloat(3).array();
        Fuzzer.of("kserve-binary", input -> {
                    if (input.length < 2) throw ApiException.badRequest("too short");
                    int headerLength = (input[0] & 0xff) | (input[1] & 0xff) << 8;
                    InferRequest.parse(Arrays.copyOfRange(input, 2, input.length), headerLength);
                })
                .seed(binary("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}}]}", floats))
                .seed(binary("{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP16\",\"parameters\":{\"binary_data_size\":16}}],"
                        + "\"parameters\":{\"binary_data_output\":true}}", floats))
                .seed(binary("{\"inputs\":[{\"name\":\"input\",\"shape\":[2],\"datatype\":\"UINT64\",\"parameters\":{\"binary_data_size\":16}}]}", floats))
                .dictionary(WORDS)
                .expect(ApiException.class)
                .iterations(150000)
                .run();
    }
}
