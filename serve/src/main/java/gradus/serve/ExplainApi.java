package gradus.serve;

import gradus.data.Scaler;
import gradus.data.datasets.Datasets;
import gradus.explain.ExplainRequest;
import gradus.explain.Explanations;
import gradus.nn.Module;
import gradus.serve.text.TextClassifier;
import gradus.serve.text.TextModels;
import gradus.tensor.Tensor;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v2/models/{name}/explain}: why the model gave its output for one example. The body is JSON:
 * the example as KServe's {@code "inputs": [{"name": "input", "shape": [...], "datatype": "FP32", "data": [...]}]}
 * or as {@code "features": [...]}; {@code "method"} (saliency, gradxinput, ig, smoothgrad, gradcam, occlusion,
 * lime, shap) and the options of {@link ExplainRequest} ({@code target}, {@code steps}, {@code rule},
 * {@code samples}, {@code sigma}, {@code layer}, {@code window}, {@code seed}); {@code "background"}: rows of
 * reference examples for tabular lime and shap. Raw values, as for inference: the model's recorded
 * preprocessing runs first and attributions are over the preprocessed input. The answer is the method's
 * result ({@link Explanations#explain}). An image body ({@code Content-Type: image/*}, resized like {@code /predict}'s)
 * takes the options as query parameters instead: {@code ?method=ig&target=3&invert=true}. A text classifier takes
 * {@code {"text": "..."}} (see {@link #explainText}).
 */
final class ExplainApi {
    private final ModelRepository models;
    private final TextModels text;
    private final ServeOptions options;

    ExplainApi(ModelRepository models, TextModels text, ServeOptions options) {
        this.models = models;
        this.text = text;
        this.options = options;
    }

    void routes(HttpRouting.Builder r) {
        r.post("/v2/models/{name}/explain", this::explain)
                .post("/v2/models/{name}/versions/{version}/explain", this::explain);
    }

    private void explain(ServerRequest req, ServerResponse res) {
        RequestInfo info = RequestInfo.of(req);
        info.endpoint = "explain";
        String name = KServeApi.param(req, "name");
        TextClassifier classifier = text.classifier(name);
        if (classifier != null) {
            info.model = name;
            explainText(req, res, name, classifier);
            return;
        }
        ServedModel m = models.get(name, KServeApi.param(req, "version"));
        info.model = m.name();
        String type = req.headers().first(io.helidon.http.HeaderNames.CONTENT_TYPE).orElse("application/json").toLowerCase(java.util.Locale.ROOT);
        Map<String, Object> body;
        if (type.startsWith("image/")) {
            body = queryOptions(req);
            body.put("features", floats(PredictApi.image(m, Http.body(req, options.maxBodyBytes()),
                    req.query().first("invert").map(Boolean::parseBoolean).orElse(false))));
        } else {
            body = Http.jsonObject(req, options.maxBodyBytes());
        }
        Map<String, Object> result;
        try {
            ExplainRequest request = request(body);
            Scaler scaler = m.card().scaler();
            Tensor x = scaled(scaler, Tensor.of(example(body, m), shape(1, m.inputShape())));
            Tensor background = body.containsKey("background") ? scaled(scaler, rows(body.get("background"), m)) : null;
            Module module = m.module();
            synchronized (module) { // explanations toggle the parameters' requiresGrad: one at a time per model
                result = Explanations.explain(module, x, request, background);
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        result.put("class", m.className((Integer) result.get("target")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_name", m.name());
        out.put("model_version", m.version());
        out.putAll(result);
        Http.json(res, 200, out);
    }

    /**
     * A text classifier's explanation: {@code {"text": "...", "method": "ig" | "gradxinput" | "attention" | "lime", ...}};
     * the answer adds tokens and, for attention, the weights [layer][head][query][key] and the rollout.
     */
    private void explainText(ServerRequest req, ServerResponse res, String name, TextClassifier classifier) {
        Map<String, Object> body = Http.jsonObject(req, options.maxBodyBytes());
        if (!(body.get("text") instanceof String t)) throw ApiException.badRequest("a text classifier is explained from {\"text\": \"...\", \"method\": ...}");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_name", name);
        try {
            out.putAll(classifier.explain(t, request(body)));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        Http.json(res, 200, out);
    }

    private static ExplainRequest request(Map<String, Object> body) {
        return new ExplainRequest(string(body, "method", "ig"), integer(body, "target"), integer(body, "steps"),
                string(body, "rule", null), integer(body, "samples"), body.get("sigma") instanceof Number s ? s.floatValue() : null,
                string(body, "layer", null), integer(body, "window"), body.get("seed") instanceof Number s ? s.longValue() : null);
    }

    /** The query's options as JSON values: numbers where they parse as numbers. */
    private static Map<String, Object> queryOptions(ServerRequest req) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : List.of("method", "target", "steps", "rule", "samples", "sigma", "layer", "window", "seed")) {
            req.query().first(key).ifPresent(v -> {
                Object value = v;
                if (!key.equals("method") && !key.equals("rule") && !key.equals("layer")) {
                    try {
                        value = Double.parseDouble(v);
                    } catch (NumberFormatException e) {
                        value = v; // reported as "must be an integer" below
                    }
                }
                out.put(key, value);
            });
        }
        return out;
    }

    private static List<Float> floats(float[] v) {
        List<Float> l = new java.util.ArrayList<>(v.length);
        for (float f : v) l.add(f);
        return l;
    }

    private static Tensor scaled(Scaler scaler, Tensor x) {
        return scaler == null ? x : scaler.transform(x);
    }

    /** The one example of "inputs" (KServe) or "features". */
    private static float[] example(Map<String, Object> body, ServedModel m) {
        Object data;
        if (body.get("inputs") instanceof List<?> inputs) {
            if (inputs.size() != 1 || !(inputs.getFirst() instanceof Map<?, ?> in)) {
                throw ApiException.badRequest("\"inputs\" must hold one tensor {\"name\", \"shape\", \"datatype\", \"data\"}");
            }
            if (in.get("shape") instanceof List<?> shape && !shape.isEmpty() && shape.getFirst() instanceof Number n && n.intValue() != 1) {
                throw ApiException.badRequest("explain takes one example: the input's shape must start with 1, got " + shape);
            }
            data = in.get("data");
        } else if (body.containsKey("features")) {
            data = body.get("features");
        } else {
            throw ApiException.badRequest("expected the example as \"inputs\": [{\"name\": \"input\", \"shape\": [1, ...], \"datatype\": \"FP32\", "
                    + "\"data\": [...]}] or as \"features\": [...]");
        }
        float[] v = numbers(data, "input");
        if (v.length != m.exampleSize()) {
            throw ApiException.badRequest("model '" + m.name() + "' takes " + m.exampleSize() + " values per example (shape "
                    + java.util.Arrays.toString(m.inputShape()) + "), got " + v.length);
        }
        return v;
    }

    private static Tensor rows(Object background, ServedModel m) {
        if (!(background instanceof List<?> list) || list.isEmpty()) throw ApiException.badRequest("\"background\" must be a non-empty list of examples");
        if (list.size() > 1000) throw ApiException.badRequest("\"background\" takes at most 1000 examples, got " + list.size());
        float[] all = new float[list.size() * m.exampleSize()];
        for (int i = 0; i < list.size(); i++) {
            float[] row = numbers(list.get(i), "background row " + i);
            if (row.length != m.exampleSize()) {
                throw ApiException.badRequest("background row " + i + " has " + row.length + " values, the model takes " + m.exampleSize());
            }
            System.arraycopy(row, 0, all, i * row.length, row.length);
        }
        return Tensor.of(all, shape(list.size(), m.inputShape()));
    }

    /** A flat list of numbers (nested lists are flattened row-major). */
    private static float[] numbers(Object data, String what) {
        List<Float> out = new java.util.ArrayList<>();
        flatten(data, out, what);
        float[] v = new float[out.size()];
        for (int i = 0; i < v.length; i++) v[i] = out.get(i);
        return v;
    }

    private static void flatten(Object o, List<Float> out, String what) {
        if (o instanceof Number n) out.add(n.floatValue());
        else if (o instanceof List<?> l) for (Object e : l) flatten(e, out, what);
        else throw ApiException.badRequest(what + ": expected numbers, got " + (o == null ? "null" : "\"" + o + "\""));
    }

    private static int[] shape(int n, int[] example) {
        int[] s = new int[example.length + 1];
        s[0] = n;
        System.arraycopy(example, 0, s, 1, example.length);
        return s;
    }

    private static String string(Map<String, Object> body, String key, String fallback) {
        Object v = body.get(key);
        if (v == null) return fallback;
        if (!(v instanceof String s)) throw ApiException.badRequest("\"" + key + "\" must be a string, got " + v);
        return s;
    }

    private static Integer integer(Map<String, Object> body, String key) {
        Object v = body.get(key);
        if (v == null) return null;
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw ApiException.badRequest("\"" + key + "\" must be an integer, got " + v);
        }
        return n.intValue();
    }
}
