package gradus.serve;

import gradus.data.datasets.Datasets;
import gradus.io.ModelDirectory;
import gradus.serve.text.TextModels;
import gradus.train.Evaluation;
import gradus.train.callbacks.MetricsLog;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The web UI's JSON: training runs (directories written by {@code gradus train --out}, found by
 * their {@code metrics.jsonl}), their curves as server-sent events while they train, their
 * confusion matrix, and the models the playground can try.
 */
final class RunsApi {
    static final String METRICS_FILE = "metrics.jsonl";

    private final ServeOptions options;
    private final ModelRepository models;
    private final TextModels text;
    private final Map<String, Object> confusionCache = new ConcurrentHashMap<>();
    private final BooleanSupplier stopping;

    /** @param stopping true once the server shuts down: open event streams then end */
    RunsApi(ServeOptions options, ModelRepository models, TextModels text, BooleanSupplier stopping) {
        this.options = options;
        this.models = models;
        this.text = text;
        this.stopping = stopping;
    }

    void routes(HttpRouting.Builder r) {
        r.get("/api/runs", (req, res) -> {
            RequestInfo.of(req).endpoint = "runs";
            List<Object> out = new ArrayList<>();
            for (Path run : runs()) out.add(summary(run));
            Http.json(res, 200, out);
        });
        r.get("/api/runs/{id}", (req, res) -> {
            RequestInfo.of(req).endpoint = "runs";
            Path run = run(req);
            Map<String, Object> out = summary(run);
            out.put("history", history(run)); // epoch lines and step records, as in metrics.jsonl
            if (Boolean.TRUE.equals(out.get("has_model"))) out.put("config", ModelDirectory.readConfig(run.resolve("model")));
            Http.json(res, 200, out);
        });
        r.get("/api/runs/{id}/events", this::events);
        r.get("/api/runs/{id}/confusion", this::confusion);
        r.get("/api/models", this::playgroundModels);
    }

    private List<Path> runs() throws IOException {
        Path root = options.runsDir();
        if (root == null || !Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.find(root, 3, (p, a) -> a.isRegularFile() && p.getFileName().toString().equals(METRICS_FILE))) {
            return s.map(Path::getParent).sorted().toList();
        }
    }

    private String id(Path run) {
        return options.runsDir().relativize(run).toString().replace('/', ':').replace('\\', ':');
    }

    private Path run(ServerRequest req) {
        String id = KServeApi.param(req, "id");
        Path root = options.runsDir();
        if (root == null || id.contains("..")) throw ApiException.notFound("unknown run '" + id + "'");
        Path run = root.resolve(id.replace(':', '/')).normalize();
        if (!run.startsWith(root.normalize()) || !Files.isRegularFile(run.resolve(METRICS_FILE))) throw ApiException.notFound("unknown run '" + id + "'");
        return run;
    }

    /** Training rewrites metrics.jsonl from the start and saves the model at the end: running = log newer than the model. */
    private static boolean running(Path run) throws IOException {
        Path config = run.resolve("model").resolve(ModelDirectory.CONFIG_FILE);
        return !Files.isRegularFile(config)
                || Files.getLastModifiedTime(config).compareTo(Files.getLastModifiedTime(run.resolve(METRICS_FILE))) < 0;
    }

    /** The run at a glance; {@code task} from its saved model (null until there is one), so the UI knows whether a confusion matrix applies. */
    private Map<String, Object> summary(Path run) throws IOException {
        List<Map<String, Object>> epochs = history(run).stream().filter(l -> !MetricsLog.isStepRecord(l)).toList();
        Path modelDir = run.resolve("model");
        boolean hasModel = Files.isRegularFile(modelDir.resolve(ModelDirectory.CONFIG_FILE));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id(run));
        out.put("name", run.getFileName().toString());
        out.put("running", running(run));
        out.put("epochs", epochs.size());
        out.put("last", epochs.isEmpty() ? Map.of() : epochs.getLast());
        out.put("updated", Files.getLastModifiedTime(run.resolve(METRICS_FILE)).toMillis());
        out.put("has_model", hasModel);
        out.put("task", hasModel ? ModelDirectory.readCard(modelDir).task() : null);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> history(Path run) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(METRICS_FILE), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                out.add(Http.JSON.readValue(line, Map.class));
            } catch (IOException e) {
                break; // a line being written
            }
        }
        return out;
    }

    /** Streams every complete line of metrics.jsonl as an event, then new ones as they are appended; ends when the run ends. */
    private void events(ServerRequest req, ServerResponse res) {
        RequestInfo.of(req).endpoint = "runs";
        Path run = run(req);
        Path file = run.resolve(METRICS_FILE);
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        long deadline = System.nanoTime() + 3_600_000_000_000L;
        try (OutputStream os = res.outputStream()) {
            long offset = 0;
            int idle = 0;
            StringBuilder partial = new StringBuilder();
            while (System.nanoTime() < deadline && !stopping.getAsBoolean()) {
                boolean sent = false;
                if (Files.isRegularFile(file)) {
                    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                        if (f.length() < offset) { // the run restarted: start over
                            offset = 0;
                            partial.setLength(0);
                            os.write("event: reset\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8));
                        }
                        f.seek(offset);
                        byte[] bytes = new byte[(int) Math.min(1 << 20, f.length() - offset)];
                        f.readFully(bytes);
                        offset += bytes.length;
                        partial.append(new String(bytes, StandardCharsets.UTF_8));
                    }
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        String line = partial.substring(0, nl).trim();
                        partial.delete(0, nl + 1);
                        if (line.isEmpty()) continue;
                        os.write(("data: " + line + "\n\n").getBytes(StandardCharsets.UTF_8));
                        sent = true;
                    }
                }
                if (!running(run) && !sent) {
                    os.write("event: end\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8));
                    break;
                }
                if (sent || ++idle % 40 == 0) os.flush(); // a heartbeat every ~10 s finds closed connections
                if (!sent && idle % 40 == 0) os.write(": ping\n\n".getBytes(StandardCharsets.UTF_8));
                Thread.sleep(250);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The confusion matrix of the run's model on its recipe's test (or validation) data, computed once per saved model. */
    @SuppressWarnings("unchecked")
    private void confusion(ServerRequest req, ServerResponse res) throws IOException {
        RequestInfo.of(req).endpoint = "runs";
        Path run = run(req);
        Path modelDir = run.resolve("model");
        if (!Files.isRegularFile(modelDir.resolve(ModelDirectory.CONFIG_FILE))) throw ApiException.notFound("the run has no saved model yet");
        String key = modelDir + "@" + Files.getLastModifiedTime(modelDir.resolve(ModelDirectory.WEIGHTS_FILE)).toMillis();
        Object cached = confusionCache.get(key);
        if (cached == null) {
            var loaded = ModelDirectory.load(modelDir);
            var card = loaded.card();
            if (!card.isClassification()) throw ApiException.notFound("not a classification run");
            Map<String, Object> data = card.other().get("recipe") instanceof Map<?, ?> rm && rm.get("data") instanceof Map<?, ?> d ? (Map<String, Object>) d : Map.of();
            Object spec = data.getOrDefault("test", data.get("validation"));
            if (!(spec instanceof String s)) throw ApiException.notFound("the run's recipe names no test or validation data");
            Evaluation.Report report;
            try {
                report = Evaluation.run(loaded.model(), card, Datasets.openFor(s, options.dataDir(), card.classNames(), card.scaler()), 512);
            } catch (RuntimeException e) {
                throw ApiException.notFound("cannot evaluate on " + s + ": " + e.getMessage());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("data", s);
            out.put("classes", report.confusion().classNames());
            out.put("counts", report.confusion().counts());
            out.put("summary", report.summary());
            confusionCache.put(key, out);
            cached = out;
        }
        Http.json(res, 200, cached);
    }

    private void playgroundModels(ServerRequest req, ServerResponse res) {
        RequestInfo.of(req).endpoint = "models";
        List<Object> out = new ArrayList<>();
        for (ServedModel m : models.all()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", m.name());
            e.put("version", m.version());
            e.put("kind", "tensor");
            e.put("input_shape", m.inputShape());
            e.put("task", m.card().task());
            e.put("class_names", m.classNames());
            e.put("feature_names", m.card().other().get("feature_names"));
            e.put("outputs", m.outputSize());
            out.add(e);
        }
        text.generatorNames().forEach(n -> out.add(Map.of("name", n, "kind", "generator")));
        text.classifierNames().forEach(n -> out.add(Map.of("name", n, "kind", "classifier")));
        text.embedderNames().forEach(n -> out.add(Map.of("name", n, "kind", "embedder")));
        Http.json(res, 200, out);
    }
}
