package gradus.serve;

import gradus.data.Images;
import gradus.serve.text.TextModels;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /predict/{name}}: the simple API. The body is JSON features
 * ({@code {"features": [...]}} for one example, or a list of them), an image (PNG/JPEG,
 * {@code Content-Type: image/*}, resized to the model's input; {@code ?invert=true} for dark
 * drawings on light paper), or {@code {"text": "..."}} for a text classifier. The answer has the
 * class, its index and the class probabilities (by class name when the model has names).
 */
final class PredictApi {
    private final ModelRepository models;
    private final TextModels text;
    private final ServeOptions options;

    PredictApi(ModelRepository models, TextModels text, ServeOptions options) {
        this.models = models;
        this.text = text;
        this.options = options;
    }

    void routes(HttpRouting.Builder r) {
        r.post("/predict/{name}", this::predict);
    }

    private void predict(ServerRequest req, ServerResponse res) {
        RequestInfo info = RequestInfo.of(req);
        info.endpoint = "predict";
        String name = KServeApi.param(req, "name");
        info.model(name);
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("application/json").toLowerCase();
        if (text.classifier(name) != null) {
            Object t = Http.jsonObject(req, options.maxBodyBytes()).get("text");
            if (!(t instanceof String s)) throw ApiException.badRequest("a text classifier takes {\"text\": \"...\"}");
            Map<String, Float> probs = text.classifier(name).classify(s);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", name);
            out.put("predictions", List.of(ranked(probs)));
            Http.json(res, 200, out);
            return;
        }
        ServedModel m = models.get(name, req.query().first("version").orElse(null));
        int n;
        float[] rows;
        if (type.startsWith("image/") || type.startsWith("application/octet-stream")) {
            rows = image(m, Http.body(req, options.maxBodyBytes()), req.query().first("invert").map(Boolean::parseBoolean).orElse(false));
            n = 1;
        } else {
            Object features = Http.jsonObject(req, options.maxBodyBytes()).get("features");
            if (!(features instanceof List<?> list) || list.isEmpty()) {
                throw ApiException.badRequest("expected {\"features\": [numbers]} or {\"features\": [[numbers], ...]}, or an image body");
            }
            List<?> examples = list.getFirst() instanceof List<?> ? list : List.of(list);
            n = examples.size();
            rows = new float[n * m.exampleSize()];
            for (int i = 0; i < n; i++) {
                if (!(examples.get(i) instanceof List<?> ex) || ex.size() != m.exampleSize()) {
                    throw ApiException.badRequest("example " + i + " must be a list of " + m.exampleSize() + " numbers for model '" + m.name() + "'");
                }
                for (int j = 0; j < ex.size(); j++) {
                    if (!(ex.get(j) instanceof Number num)) throw ApiException.badRequest("example " + i + ", value " + j + " is not a number: " + ex.get(j));
                    rows[i * m.exampleSize() + j] = num.floatValue();
                }
            }
        }
        float[] raw = m.infer(rows, n, options.requestTimeout());
        List<Object> predictions = new ArrayList<>();
        if (m.isClassification()) {
            float[] p = m.probabilities(raw, n);
            int w = m.probabilityWidth();
            for (int r = 0; r < n; r++) {
                Map<String, Float> probs = new LinkedHashMap<>();
                for (int c : m.ranked(p, r)) probs.put(m.className(c), p[r * w + c]);
                Map<String, Object> one = ranked(probs);
                one.put("index", m.ranked(p, r).getFirst());
                predictions.add(one);
            }
        } else {
            int w = raw.length / n;
            for (int r = 0; r < n; r++) {
                List<Float> v = new ArrayList<>();
                for (int i = 0; i < w; i++) v.add(raw[r * w + i]);
                predictions.add(Map.of("prediction", w == 1 ? v.getFirst() : v));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.name());
        out.put("model_version", m.version());
        out.put("predictions", predictions);
        Http.json(res, 200, out);
    }

    /** class = the most likely, probabilities most likely first. */
    private static Map<String, Object> ranked(Map<String, Float> probs) {
        List<Map.Entry<String, Float>> sorted = new ArrayList<>(probs.entrySet());
        sorted.sort((a, b) -> Float.compare(b.getValue(), a.getValue()));
        Map<String, Float> ordered = new LinkedHashMap<>();
        for (var e : sorted) ordered.put(e.getKey(), e.getValue());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("class", sorted.isEmpty() ? null : sorted.getFirst().getKey());
        out.put("probabilities", ordered);
        return out;
    }

    static float[] image(ServedModel m, byte[] bytes, boolean invert) {
        int[] s = m.inputShape();
        if (s.length != 3 && !(s.length == 1 && isSquare(s[0]))) {
            throw ApiException.badRequest("model '" + m.name() + "' does not take images (input shape " + java.util.Arrays.toString(s) + ")");
        }
        BufferedImage img;
        try {
            img = Images.read(bytes, Images.MAX_PIXELS);
        } catch (IOException e) {
            throw ApiException.badRequest("the body is not a usable image: " + e.getMessage());
        }
        // A flat [h*w] input (an MLP on square grayscale images) gets a one-channel square picture.
        int c = s.length == 3 ? s[0] : 1, h = s.length == 3 ? s[1] : (int) Math.sqrt(s[0]), w = s.length == 3 ? s[2] : h;
        return Images.fromImage(img, c, h, w, invert).toArray(); // raw pixels: the model's preprocessing runs in infer
    }

    private static boolean isSquare(int n) {
        int r = (int) Math.sqrt(n);
        return r * r == n;
    }
}
