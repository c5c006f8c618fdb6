package gradus.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/** Error bodies: {@code {"error": "..."}} (KServe v2 and the rest), {@code {"error": {message, type, code}}} under /v1. */
final class Errors {
    private Errors() {}

    static Map<String, Object> body(String path, int status, String message) {
        return path.startsWith("/v1/") ? openAi(status, message) : Map.of("error", message == null ? "error" : message);
    }

    static Map<String, Object> openAi(int status, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", message == null ? "error" : message);
        e.put("type", new ApiException(status, "").openAiType());
        e.put("param", null);
        e.put("code", status);
        return Map.of("error", e);
    }
}
