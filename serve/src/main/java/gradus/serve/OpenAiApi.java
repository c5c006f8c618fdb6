package gradus.serve;

import gradus.serve.text.ChatMessage;
import gradus.serve.text.Generation;
import gradus.serve.text.GenerationParams;
import gradus.serve.text.TextEmbedder;
import gradus.serve.text.TextGenerator;
import gradus.serve.text.TextModels;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * OpenAI-compatible endpoints under {@code /v1}: models, completions, chat completions (plain and
 * streamed as server-sent events), embeddings (of texts or token ids) and responses ({@link OpenAiResponses}),
 * with the fields that OpenAI's SDKs and LangChain4j read. Text models come from {@link TextModels}.
 */
final class OpenAiApi {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(OpenAiApi.class.getName());
    private final TextModels text;
    private final ModelRepository models;
    private final ServeOptions options;

    OpenAiApi(TextModels text, ModelRepository models, ServeOptions options) {
        this.text = text;
        this.models = models;
        this.options = options;
    }

    /** What this server answers under /v1, for the error that any other /v1 request gets. */
    static final String ENDPOINTS = "GET /v1/models, GET /v1/models/{id}, POST /v1/completions, POST /v1/chat/completions, "
            + "POST /v1/embeddings and POST /v1/responses";

    void routes(HttpRouting.Builder r) {
        r.get("/v1/models", this::listModels)
                .get("/v1/models/{id}", this::retrieveModel)
                .post("/v1/completions", (req, res) -> generate(req, res, false))
                .post("/v1/chat/completions", (req, res) -> generate(req, res, true))
                .post("/v1/embeddings", this::embeddings)
                .post("/v1/responses", new OpenAiResponses(text, options)::create)
                .any("/v1/*", (req, res) -> {
                    throw ApiException.notFound(req.prologue().method().text() + " " + req.path().path()
                            + " is not an endpoint of this server; it serves " + ENDPOINTS);
                });
    }

    /** Every model's name: text models and tensor models. */
    private java.util.Set<String> modelNames() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        names.addAll(text.generatorNames());
        names.addAll(text.embedderNames());
        names.addAll(text.classifierNames());
        models.all().forEach(m -> names.add(m.name()));
        return names;
    }

    private static Map<String, Object> modelObject(String name, long created) {
        return Map.of("id", name, "object", "model", "created", created, "owned_by", "gradus");
    }

    private void listModels(ServerRequest req, ServerResponse res) {
        RequestInfo.of(req).endpoint = "models";
        List<Object> data = new ArrayList<>();
        long created = System.currentTimeMillis() / 1000;
        for (String n : modelNames()) data.add(modelObject(n, created));
        Http.json(res, 200, Map.of("object", "list", "data", data));
    }

    private void retrieveModel(ServerRequest req, ServerResponse res) {
        RequestInfo info = RequestInfo.of(req);
        info.endpoint = "models";
        String id = KServeApi.param(req, "id");
        if (!modelNames().contains(id)) throw ApiException.notFound("the model '" + id + "' does not exist");
        info.model(id);
        Http.json(res, 200, modelObject(id, System.currentTimeMillis() / 1000));
    }

    private void generate(ServerRequest req, ServerResponse res, boolean chat) {
        RequestInfo info = RequestInfo.of(req);
        info.endpoint = chat ? "chat" : "completions";
        GenerationRequest request = GenerationRequest.of(Http.jsonObject(req, options.maxBodyBytes()), chat, options.maxTokens());
        String name = request.model();
        info.model(name);
        TextGenerator generator = text.generator(name);
        if (generator == null) throw modelNotFound(name, "text generation");
        TextGenerator.Prompt prompt = chat ? generator.chat(request.messages()) : generator.prompt(request.prompt());
        GenerationParams params = request.params();
        boolean stream = request.stream();
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (!stream) {
            Generation g = prompt.generate(params, piece -> {});
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            if (chat) choice.put("message", Map.of("role", "assistant", "content", g.text()));
            else choice.put("text", g.text());
            choice.put("logprobs", null);
            choice.put("finish_reason", g.finishReason());
            Map<String, Object> out = head(id, chat ? "chat.completion" : "text_completion", created, name);
            out.put("choices", List.of(choice));
            out.put("usage", usage(g));
            Http.json(res, 200, out);
            return;
        }
        boolean includeUsage = request.includeUsage();
        String object = chat ? "chat.completion.chunk" : "text_completion";
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (OutputStream os = res.outputStream()) {
            if (chat) event(os, chunk(id, object, created, name, chat, Map.of("role", "assistant", "content", ""), null));
            Consumer<String> onText = piece -> event(os, chunk(id, object, created, name, chat,
                    chat ? Map.of("content", piece) : piece, null));
            try {
                Generation g = prompt.generate(params, onText);
                event(os, chunk(id, object, created, name, chat, chat ? Map.of() : "", g.finishReason()));
                if (includeUsage) {
                    Map<String, Object> last = head(id, object, created, name);
                    last.put("choices", List.of());
                    last.put("usage", usage(g));
                    event(os, last);
                }
            } catch (RuntimeException e) { // headers are out: report in the stream, as vLLM does
                if (e instanceof UncheckedIOException || Http.clientGone(e)) throw e; // the client went away: nobody to tell
                StreamFailure failure = StreamFailure.of(e, "streamed generation");
                event(os, Errors.openAi(failure.status(), failure.message()));
            }
            os.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the client went away
        }
    }

    /** A failure after a stream's headers went out: its status and the message the client may see. */
    record StreamFailure(int status, String message) {
        static StreamFailure of(RuntimeException e, String what) {
            int status = e instanceof ApiException a ? a.status() : e instanceof IllegalArgumentException ? 400 : 500;
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            if (status == 500) { // as for any 500: the client gets an id, the log gets the details
                String requestId = RequestIds.next();
                LOG.log(java.util.logging.Level.WARNING, "request " + requestId + " (" + what + ") failed", e);
                message = "internal error (request id " + requestId + ")";
            }
            return new StreamFailure(status, message);
        }
    }

    private static Map<String, Object> head(String id, String object, long created, String model) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("object", object);
        out.put("created", created);
        out.put("model", model);
        return out;
    }

    private static Map<String, Object> chunk(String id, String object, long created, String model, boolean chat, Object delta, String finish) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        if (chat) choice.put("delta", delta);
        else choice.put("text", delta);
        choice.put("logprobs", null);
        choice.put("finish_reason", finish);
        Map<String, Object> out = head(id, object, created, model);
        out.put("choices", List.of(choice));
        return out;
    }

    static void event(OutputStream os, Object data) {
        event(os, null, data);
    }

    /** Writes one server-sent event ({@code event:} line when {@code name} is given) and flushes it to the client. */
    static void event(OutputStream os, String name, Object data) {
        try {
            os.write(((name == null ? "" : "event: " + name + "\n") + "data: " + Http.JSON.writeValueAsString(data) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            os.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> usage(Generation g) {
        return Map.of("prompt_tokens", g.promptTokens(), "completion_tokens", g.completionTokens(),
                "total_tokens", g.promptTokens() + g.completionTokens());
    }

    /** A completion or chat request's fields, checked (400 on any bad one) before a model is looked up. */
    record GenerationRequest(String model, String prompt, List<ChatMessage> messages, GenerationParams params, boolean stream,
                             boolean includeUsage) {
        static GenerationRequest of(Map<String, Object> body, boolean chat, int maxTokens) {
            String model = string(body, "model", true);
            int n = intValue(body, "n", 1);
            if (n != 1) throw ApiException.badRequest("n must be 1: this server returns one choice per request");
            List<ChatMessage> messages = chat ? OpenAiApi.messages(body.get("messages")) : null;
            String prompt = chat ? null : OpenAiApi.prompt(body.get("prompt"));
            boolean includeUsage = body.get("stream_options") instanceof Map<?, ?> so && Boolean.TRUE.equals(so.get("include_usage"));
            Integer requested = body.get("max_completion_tokens") != null ? (Integer) intValue(body, "max_completion_tokens", 0)
                    : body.get("max_tokens") != null ? (Integer) intValue(body, "max_tokens", 0) : null;
            return new GenerationRequest(model, prompt, messages, OpenAiApi.params(body, requested, maxTokens),
                    Boolean.TRUE.equals(body.get("stream")), includeUsage);
        }
    }

    /** Sampling parameters: {@code requested} tokens (null: the limit), temperature, top_p, stop, seed; 400 for any bad one. */
    static GenerationParams params(Map<String, Object> body, Integer requested, int limit) {
        if (requested != null && requested < 1) throw ApiException.badRequest("max_tokens must be at least 1, got " + requested);
        if (requested != null && requested > limit) {
            throw ApiException.badRequest("max_tokens " + requested + " exceeds this server's limit of " + limit);
        }
        double temperature = number(body, "temperature", 1.0);
        double topP = number(body, "top_p", 1.0);
        if (temperature < 0 || temperature > 2) throw ApiException.badRequest("temperature must be between 0 and 2, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw ApiException.badRequest("top_p must be in (0, 1], got " + topP);
        List<String> stop = new ArrayList<>();
        Object s = body.get("stop");
        if (s instanceof String str) stop.add(str);
        else if (s instanceof List<?> l) l.forEach(o -> stop.add(String.valueOf(o)));
        else if (s != null) throw ApiException.badRequest("stop must be a string or a list of strings");
        Long seed = body.get("seed") instanceof Number num ? num.longValue() : null;
        int topK = intValue(body, "top_k", 0);
        if (topK < 0) throw ApiException.badRequest("top_k must be 0 (off) or more, got " + topK);
        return new GenerationParams(requested == null ? limit : requested, temperature, topP, stop, seed, topK);
    }

    static List<ChatMessage> messages(Object raw) {
        if (!(raw instanceof List<?> list) || list.isEmpty()) throw ApiException.badRequest("'messages' must be a non-empty list");
        List<ChatMessage> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("role") instanceof String role)) {
                throw ApiException.badRequest("each message needs a 'role' and 'content'");
            }
            Object c = m.get("content");
            String content;
            if (c == null || c instanceof String) {
                content = c == null ? "" : (String) c;
            } else if (c instanceof List<?> parts) { // [{"type":"text","text":...}, ...]
                StringBuilder sb = new StringBuilder();
                for (Object p : parts) {
                    if (!(p instanceof Map<?, ?> part) || !"text".equals(part.get("type"))) {
                        throw ApiException.badRequest("only text content parts are supported");
                    }
                    sb.append(part.get("text"));
                }
                content = sb.toString();
            } else {
                throw ApiException.badRequest("message content must be a string or a list of text parts");
            }
            out.add(new ChatMessage(role, content));
        }
        return out;
    }

    private static String prompt(Object raw) {
        if (raw instanceof String s) return s;
        if (raw instanceof List<?> l && l.size() == 1 && l.getFirst() instanceof String s) return s;
        throw ApiException.badRequest("'prompt' must be a string (or a list of exactly one string)");
    }

    private void embeddings(ServerRequest req, ServerResponse res) {
        RequestInfo info = RequestInfo.of(req);
        info.endpoint = "embeddings";
        EmbeddingRequest request = EmbeddingRequest.of(Http.jsonObject(req, options.maxBodyBytes()));
        String name = request.model();
        info.model(name);
        TextEmbedder embedder = text.embedder(name);
        if (embedder == null) throw modelNotFound(name, "embeddings");
        List<String> texts = request.texts();
        List<int[]> ids = request.tokens();
        String format = request.format();
        float[][] vectors = texts != null ? embedder.embed(texts) : embedder.embedTokens(ids);
        int inputs = texts != null ? texts.size() : ids.size();
        if (vectors.length != inputs) throw new ApiException(500, "the embedder returned " + vectors.length + " vectors for " + inputs + " inputs");
        List<Object> data = new ArrayList<>();
        int tokens = 0;
        for (int i = 0; i < vectors.length; i++) {
            tokens += texts != null ? embedder.countTokens(texts.get(i)) : ids.get(i).length;
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("object", "embedding");
            e.put("index", i);
            e.put("embedding", format.equals("base64") ? base64(vectors[i]) : vectors[i]);
            data.add(e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "list");
        out.put("model", name);
        out.put("data", data);
        out.put("usage", Map.of("prompt_tokens", tokens, "total_tokens", tokens));
        Http.json(res, 200, out);
    }

    /** An embeddings request's fields, checked: texts, or token-id sequences (the other is null), as OpenAI accepts them. */
    record EmbeddingRequest(String model, List<String> texts, List<int[]> tokens, String format) {
        private static final String INPUT_FORMS = "'input' must be a string, a non-empty list of strings, a list of token ids"
                + " ([1, 2, 3]) or a list of such lists ([[1, 2], [3]])";

        static EmbeddingRequest of(Map<String, Object> body) {
            String model = string(body, "model", true);
            String format = body.get("encoding_format") instanceof String f ? f : "float";
            if (!format.equals("float") && !format.equals("base64")) throw ApiException.badRequest("encoding_format must be float or base64");
            Object in = body.get("input");
            if (in instanceof String s) return new EmbeddingRequest(model, List.of(s), null, format);
            if (!(in instanceof List<?> l) || l.isEmpty()) throw ApiException.badRequest(INPUT_FORMS);
            if (l.stream().allMatch(o -> o instanceof String)) return new EmbeddingRequest(model, l.stream().map(o -> (String) o).toList(), null, format);
            if (l.stream().allMatch(o -> o instanceof Number)) return new EmbeddingRequest(model, null, List.of(ids(l)), format);
            if (l.stream().allMatch(o -> o instanceof List<?>)) {
                return new EmbeddingRequest(model, null, l.stream().map(o -> ids((List<?>) o)).toList(), format);
            }
            throw ApiException.badRequest(INPUT_FORMS);
        }

        private static int[] ids(List<?> list) {
            if (list.isEmpty()) throw ApiException.badRequest("a token-id list in 'input' is empty");
            int[] ids = new int[list.size()];
            for (int i = 0; i < ids.length; i++) {
                Object id = list.get(i);
                if (id instanceof Long || id instanceof java.math.BigInteger) { // beyond int: beyond any vocabulary
                    throw ApiException.badRequest("token id " + id + " in 'input' is outside the model's vocabulary");
                }
                if (!(id instanceof Integer n)) throw ApiException.badRequest("token ids in 'input' must be integers, got " + id);
                ids[i] = n;
            }
            return ids;
        }
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return Base64.getEncoder().encodeToString(b.array());
    }

    static ApiException modelNotFound(String name, String what) {
        return new ApiException(404, "the model '" + name + "' does not exist or does not offer " + what);
    }

    static String string(Map<String, Object> body, String key, boolean required) {
        Object v = body.get(key);
        if (v instanceof String s && !s.isEmpty()) return s;
        if (v == null && !required) return null;
        throw ApiException.badRequest("'" + key + "' must be a non-empty string");
    }

    static int intValue(Map<String, Object> body, String key, int fallback) {
        Object v = body.get(key);
        if (v == null) return fallback;
        if (v instanceof Integer i) return i;
        throw ApiException.badRequest("'" + key + "' must be an integer, got " + v);
    }

    private static double number(Map<String, Object> body, String key, double fallback) {
        Object v = body.get(key);
        if (v == null) return fallback;
        if (v instanceof Number num) return num.doubleValue();
        throw ApiException.badRequest("'" + key + "' must be a number, got " + v);
    }
}
