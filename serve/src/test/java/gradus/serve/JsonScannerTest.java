package gradus.serve;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class JsonScannerTest {
    static float[] floats(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        InferRequest.FloatList out = new InferRequest.FloatList();
        new JsonScanner(b, b.length).floats(out, 0);
        return out.toArray();
    }

    @Test
    void numbersConvertExactlyLikeFloatParseFloat() {
        Random r = new Random(42);
        StringBuilder sb = new StringBuilder("[");
        List<String> texts = new java.util.ArrayList<>();
        for (int k = 0; k < 20000; k++) {
            String t = switch (k % 5) {
                case 0 -> Float.toString(Float.intBitsToFloat(r.nextInt() & 0x7F7FFFFF)); // every float's shortest form, with exponents
                case 1 -> String.format(java.util.Locale.ROOT, "%.4f", r.nextDouble());  // pixels / 255
                case 2 -> Long.toString(r.nextLong() >> r.nextInt(64));                  // integers, some beyond 2^53
                case 3 -> (r.nextBoolean() ? "-" : "") + r.nextInt(1000) + "." + r.nextInt(1_000_000_000) + "e" + (r.nextInt(90) - 45);
                default -> "0." + "0".repeat(r.nextInt(5)) + Long.toString(Math.abs(r.nextLong())); // 19+ digits: the slow path
            };
            texts.add(t);
            sb.append(k == 0 ? "" : ",").append(t);
        }
        float[] got = floats(sb.append(']').toString());
        for (int k = 0; k < texts.size(); k++) {
            assertEquals(Float.floatToIntBits(Float.parseFloat(texts.get(k))), Float.floatToIntBits(got[k]), texts.get(k));
        }
        // a double that lands exactly between two floats must not round twice
        assertEquals(Float.parseFloat("1.00000005960464477539062500001"), floats("[1.00000005960464477539062500001]")[0]);
        assertEquals(Float.parseFloat("16777217"), floats("[16777217]")[0]);
    }

    @Test
    void nestedArraysBooleansAndGeneralValues() {
        assertArrayEquals(new float[]{1, 2, 3, 1, 0}, floats("[[1, 2], [3], [true, false]]"));
        byte[] b = "{\"a\": [1, 2.5, \"x\\n\\u0041\"], \"b\": {\"c\": null, \"d\": true}, \"e\": -12345678901234}".getBytes(StandardCharsets.UTF_8);
        Object v = new JsonScanner(b, b.length).value(0);
        assertEquals(Map.of("a", List.of(1L, 2.5, "x\nA"), "b", java.util.Collections.singletonMap("c", null), "e", -12345678901234L).get("a"), ((Map<?, ?>) v).get("a"));
        assertEquals(-12345678901234L, ((Map<?, ?>) v).get("e"));
    }

    @Test
    void syntaxErrorsAre400sWithThePosition() {
        for (String bad : List.of("[1,]", "[01]", "[1 2]", "[-]", "[1.]", "[1e]", "[", "[\"a\"]", "[nul]")) {
            ApiException e = assertThrows(ApiException.class, () -> floats(bad), bad);
            assertEquals(400, e.status());
        }
        byte[] b = "{\"a\" 1}".getBytes(StandardCharsets.UTF_8);
        ApiException e = assertThrows(ApiException.class, () -> new JsonScanner(b, b.length).value(0));
        assertTrue(e.getMessage().contains("byte 5"), e.getMessage());
        byte[] deep = "[".repeat(100).getBytes(StandardCharsets.UTF_8);
        assertThrows(ApiException.class, () -> new JsonScanner(deep, deep.length).value(0));
    }
}
