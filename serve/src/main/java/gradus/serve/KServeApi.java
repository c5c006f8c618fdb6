package gradus.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import gradus.io.ModelCard;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KServe Open Inference Protocol v2 over REST: health, server and model metadata, readiness,
 * inference with JSON or binary tensors (Triton's binary data extension), and Triton's model
 * repository extension (index, load, unload) for admins.
 */
final class KServeApi {
    static final HeaderName HEADER_LENGTH = HeaderNames.create("Inference-Header-Content-Length");
    static final String VERSION = "0.1.0";
    /** The datatype of every model's input and outputs (float32 tensors). */
    static final String DATATYPE = "FP32";
    private static final JsonFactory JSON = new JsonFactory();

    private final ModelRepository models;
    private final ServeOptions options;

    KServeApi(ModelRepository models, ServeOptions options) {
        this.models = models;
        this.options = options;
    }

    void routes(HttpRouting.Builder r) {
        r.get("/v2/health/live", (req, res) -> Http.json(res, 200, Map.of("live", true)))
                .get("/v2/health/ready", (req, res) -> Http.json(res, models.ready() ? 200 : 503, Map.of("ready", models.ready())))
                .get("/v2", (req, res) -> Http.json(res, 200, Map.of("name", "gradus", "version", VERSION,
                        "extensions", List.of("binary_tensor_data", "model_repository"))))
                .get("/v2/models/{name}", this::metadata)
                .get("/v2/models/{name}/versions/{version}", this::metadata)
                .get("/v2/models/{name}/ready", this::ready)
                .get("/v2/models/{name}/versions/{version}/ready", this::ready)
                .post("/v2/models/{name}/infer", this::infer)
                .post("/v2/models/{name}/versions/{version}/infer", this::infer)
                .post("/v2/repository/index", (req, res) -> Http.json(res, 200, models.index()))
                .post("/v2/repository/models/{name}/load", (req, res) -> {
                    String name = param(req, "name");
                    RequestInfo.of(req).model(name);
                    models.load(name);
                    Http.json(res, 200, Map.of("name", name, "state", "READY"));
                })
                .post("/v2/repository/models/{name}/unload", (req, res) -> {
                    String name = param(req, "name");
                    RequestInfo.of(req).model(name);
                    models.unload(name);
                    Http.json(res, 200, Map.of("name", name, "state", "UNLOADED"));
                });
    }

    static String param(ServerRequest req, String name) {
        return req.path().pathParameters().first(name).orElse(null);
    }

    private ServedModel model(ServerRequest req) {
        ServedModel m = models.get(param(req, "name"), param(req, "version"));
        RequestInfo.of(req).model(m.name());
        return m;
    }

    private void metadata(ServerRequest req, ServerResponse res) {
        ServedModel m = model(req);
        RequestInfo.of(req).endpoint = "metadata";
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m.name());
        out.put("versions", models.versions(m.name()));
        out.put("platform", "gradus_safetensors");
        out.put("inputs", List.of(tensorMeta(ServedModel.INPUT, m.inputShape())));
        List<Object> outputs = new ArrayList<>();
        for (String o : m.outputNames()) outputs.add(tensorMeta(o, m.outputShape(o)));
        out.put("outputs", outputs);
        Map<String, Object> params = new LinkedHashMap<>();
        if (m.classNames() != null) params.put("class_names", m.classNames());
        if (m.card().task() != null) params.put("task", m.card().task());
        // Applied by the server to every request's raw input: a client must not scale again.
        if (m.card().scaler() != null) params.put("preprocessing", Map.of("scaler", ModelCard.scalerJson(m.card().scaler())));
        out.put("parameters", params);
        Http.json(res, 200, out);
    }

    private static Map<String, Object> tensorMeta(String name, int[] exampleShape) {
        List<Integer> shape = new ArrayList<>();
        shape.add(-1);
        for (int d : exampleShape) shape.add(d);
        return Map.of("name", name, "datatype", DATATYPE, "shape", shape);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        ServedModel m = model(req);
        RequestInfo.of(req).endpoint = "ready";
        Http.json(res, 200, Map.of("name", m.name(), "ready", true));
    }

    private void infer(ServerRequest req, ServerResponse res) {
        RequestInfo.of(req).endpoint = "infer";
        ServedModel m = model(req);
        byte[] body = Http.body(req, options.maxBodyBytes());
        int headerLength = req.headers().first(HEADER_LENGTH).map(v -> {
            try {
                int n = Integer.parseInt(v.trim());
                if (n < 0) throw new NumberFormatException();
                return n;
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Inference-Header-Content-Length must be a non-negative integer, got '" + v + "'");
            }
        }).orElse(-1);
        InferRequest request = InferRequest.parse(body, headerLength);
        if (request.inputs().size() != 1) {
            throw ApiException.badRequest("model '" + m.name() + "' takes one input ('" + ServedModel.INPUT + "'), got " + request.inputs().size());
        }
        InferRequest.Input in = request.inputs().getFirst();
        if (!in.name().equals(ServedModel.INPUT)) {
            throw ApiException.badRequest("unexpected input '" + in.name() + "'; model '" + m.name() + "' has input '" + ServedModel.INPUT + "'");
        }
        int n = batchSize(m, in);
        float[] raw = m.infer(in.data(), n, options.requestTimeout());

        List<InferRequest.Output> wanted = request.outputs();
        if (wanted == null) wanted = m.outputNames().stream().map(o -> new InferRequest.Output(o, null)).toList();
        for (var o : wanted) {
            if (!m.outputNames().contains(o.name())) {
                throw ApiException.badRequest("unknown output '" + o.name() + "'; model '" + m.name() + "' has " + m.outputNames());
            }
        }
        boolean allBinary = request.binaryOutputs(); // an output's own binary_data overrides it, either way (Triton's binary extension)
        wanted = wanted.stream().map(o -> new InferRequest.Output(o.name(), o.binary() == null ? allBinary : o.binary())).toList();
        List<float[]> data = new ArrayList<>();
        for (var o : wanted) data.add(o.name().equals(ServedModel.PROBABILITIES) ? m.probabilities(raw, n) : raw);
        writeResponse(res, m, request.id(), n, wanted, data);
    }

    /**
     * The batch size, from an input that is what the model takes, as Triton checks it: datatype FP32 and shape
     * [n, ...input_shape] (no silent conversion of other datatypes, no reshaping of [n, 784] into [n, 1, 28, 28]).
     */
    private static int batchSize(ServedModel m, InferRequest.Input in) {
        if (!in.datatype().equals(DATATYPE)) {
            throw ApiException.badRequest("inference input '" + in.name() + "' data-type is '" + in.datatype() + "', but model '" + m.name()
                    + "' expects '" + DATATYPE + "'");
        }
        int[] s = in.shape();
        int[] example = m.inputShape();
        boolean fits = s.length == example.length + 1 && Arrays.equals(s, 1, s.length, example, 0, example.length);
        if (fits && s[0] > 0) return s[0];
        if (fits) throw ApiException.badRequest("input '" + in.name() + "' for model '" + m.name() + "' has a batch of 0 examples");
        String expected = dims(-1, example);
        throw ApiException.badRequest("unexpected shape for input '" + in.name() + "' for model '" + m.name() + "'. Expected " + expected
                + ", got " + dims(s) + (Arrays.equals(s, example) ? "; the first dimension is the batch size: send " + dims(1, example)
                + " for one example" : ""));
    }

    /** A shape as Triton writes one: [-1,1,28,28]. */
    private static String dims(int first, int[] rest) {
        int[] all = new int[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return dims(all);
    }

    private static String dims(int[] shape) {
        return Arrays.toString(shape).replace(" ", "");
    }

    /** Writes the outputs, each as JSON data or (its {@code binary} set) as raw bytes after the JSON header. */
    private void writeResponse(ServerResponse res, ServedModel m, String id, int n, List<InferRequest.Output> wanted, List<float[]> data) {
        ByteArrayOutputStream json = new ByteArrayOutputStream(256 + 16 * data.stream().mapToInt(d -> d.length).sum());
        List<float[]> binary = new ArrayList<>();
        try (JsonGenerator g = JSON.createGenerator(json)) {
            g.writeStartObject();
            g.writeStringField("model_name", m.name());
            g.writeStringField("model_version", m.version());
            if (id != null) g.writeStringField("id", id);
            g.writeArrayFieldStart("outputs");
            for (int i = 0; i < wanted.size(); i++) {
                var o = wanted.get(i);
                float[] d = data.get(i);
                g.writeStartObject();
                g.writeStringField("name", o.name());
                g.writeStringField("datatype", DATATYPE);
                g.writeArrayFieldStart("shape");
                g.writeNumber(n);
                g.writeNumber(d.length / n);
                g.writeEndArray();
                if (o.binary()) {
                    g.writeObjectFieldStart("parameters");
                    g.writeNumberField("binary_data_size", 4L * d.length);
                    g.writeEndObject();
                    binary.add(d);
                } else {
                    g.writeArrayFieldStart("data");
                    for (float v : d) g.writeNumber(v);
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (binary.isEmpty()) {
            Http.send(res, 200, "application/json", json.toByteArray());
            return;
        }
        int size = json.size();
        for (float[] d : binary) size += 4 * d.length;
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(json.toByteArray());
        for (float[] d : binary) for (float v : d) out.putFloat(v);
        res.header(HEADER_LENGTH, Integer.toString(json.size()));
        Http.send(res, 200, "application/octet-stream", out.array());
    }
}
