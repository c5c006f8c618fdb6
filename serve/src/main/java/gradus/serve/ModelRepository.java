package gradus.serve;

import gradus.io.ModelDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The models under a directory, {@code DIR/name/version/} (or {@code DIR/name/} as version 1),
 * each with config.json and model.safetensors. A background thread rescans every
 * {@code reloadInterval}: new or changed versions are loaded, removed ones dropped. A model that
 * fails to load keeps its previous version serving and reports why in the index.
 */
public final class ModelRepository implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());

    /** One row of the repository index (Triton's repository extension). */
    public record Entry(String name, String version, String state, String reason) {}

    private static final class Slot {
        volatile ServedModel model;
        volatile String fingerprint = "";
        volatile String error;
    }

    private final Path dir;
    private final int maxBatchSize;
    private final Duration maxDelay;
    private final BiConsumer<String, Integer> batchSizes;
    private final Map<String, Map<String, Slot>> models = new ConcurrentHashMap<>();
    private final Set<String> unloaded = ConcurrentHashMap.newKeySet();
    private final Thread watcher;
    private volatile boolean ready;

    public ModelRepository(Path dir, int maxBatchSize, Duration maxDelay, Duration reloadInterval, BiConsumer<String, Integer> batchSizes) {
        this.dir = dir;
        this.maxBatchSize = maxBatchSize;
        this.maxDelay = maxDelay;
        this.batchSizes = batchSizes;
        if (dir != null) scan();
        ready = true;
        this.watcher = dir != null && !reloadInterval.isZero()
                ? Thread.ofVirtual().name("model-watcher").start(() -> watch(reloadInterval)) : null;
    }

    private void watch(Duration interval) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
                scan();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "model rescan failed", e);
            }
        }
    }

    /** Brings the loaded models in line with the directory. */
    public synchronized void scan() {
        if (dir == null || !Files.isDirectory(dir)) return;
        Map<String, Map<String, Path>> found = new TreeMap<>();
        try (Stream<Path> names = Files.list(dir)) {
            for (Path n : names.filter(Files::isDirectory).sorted().toList()) {
                String name = n.getFileName().toString();
                if (name.startsWith(".")) continue;
                Map<String, Path> versions = new TreeMap<>();
                if (isTensorModel(n)) versions.put("1", n);
                try (Stream<Path> vs = Files.list(n)) {
                    vs.filter(ModelRepository::isTensorModel)
                            .forEach(v -> versions.put(v.getFileName().toString(), v));
                }
                if (!versions.isEmpty()) found.put(name, versions);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list " + dir, e);
            return;
        }
        for (var e : found.entrySet()) {
            if (unloaded.contains(e.getKey())) continue;
            for (var v : e.getValue().entrySet()) refresh(e.getKey(), v.getKey(), v.getValue(), false);
        }
        for (String name : List.copyOf(models.keySet())) {
            Map<String, Slot> slots = models.get(name);
            Map<String, Path> present = found.getOrDefault(name, Map.of());
            for (String version : List.copyOf(slots.keySet())) {
                if (!present.containsKey(version) && slots.get(version).fingerprint != null) drop(name, version);
            }
        }
    }

    /** A model directory whose input is a tensor; text models (with a tokenizer) are served by {@link gradus.serve.text.TextModels}. */
    private static boolean isTensorModel(Path dir) {
        return Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG_FILE)) && !Files.exists(dir.resolve(ModelDirectory.TOKENIZER_FILE));
    }

    private void refresh(String name, String version, Path path, boolean force) {
        Slot slot = models.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).computeIfAbsent(version, k -> new Slot());
        String fp = fingerprint(path);
        if (!force && fp.equals(slot.fingerprint)) return;
        slot.fingerprint = fp;
        try {
            ServedModel m = ServedModel.load(name, version, path, maxBatchSize, maxDelay, rows -> batchSizes.accept(name, rows));
            slot.model = m; // requests still running on the old version finish on it
            slot.error = null;
            LOG.info(() -> "loaded model " + m);
        } catch (IOException | RuntimeException e) {
            slot.error = e.getMessage();
            LOG.warning(() -> "cannot load model " + name + "/" + version + " from " + path + ": " + e.getMessage());
        }
    }

    private static String fingerprint(Path dir) {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of(ModelDirectory.CONFIG_FILE, ModelDirectory.WEIGHTS_FILE)) {
            try {
                Path p = dir.resolve(f);
                sb.append(Files.getLastModifiedTime(p).toMillis()).append('/').append(Files.size(p)).append(';');
            } catch (IOException e) {
                sb.append("-;");
            }
        }
        return sb.toString();
    }

    private void drop(String name, String version) {
        Map<String, Slot> slots = models.get(name);
        if (slots == null) return;
        slots.remove(version); // requests still running on it finish on it
        if (slots.isEmpty()) models.remove(name);
    }

    /** Adds a model built in code; it stays until unloaded. */
    public void put(ServedModel model) {
        Slot s = new Slot();
        s.model = model;
        s.fingerprint = null; // not from the directory: rescans leave it alone
        models.computeIfAbsent(model.name(), k -> new ConcurrentHashMap<>()).put(model.version(), s);
    }

    /** The named model, at {@code version} or the newest version when null; 404 otherwise. */
    public ServedModel get(String name, String version) {
        Map<String, Slot> slots = models.get(name);
        if (slots == null || slots.isEmpty()) throw ApiException.notFound("unknown model '" + name + "'");
        if (version != null) {
            Slot s = slots.get(version);
            if (s == null) throw ApiException.notFound("model '" + name + "' has no version '" + version + "'; it has " + new TreeMap<>(slots).keySet());
            if (s.model == null) throw new ApiException(503, "model '" + name + "' version " + version + " is not ready: " + s.error);
            return s.model;
        }
        return slots.entrySet().stream().filter(e -> e.getValue().model != null)
                .max(Map.Entry.comparingByKey(ModelRepository::compareVersions)).map(e -> e.getValue().model)
                .orElseThrow(() -> new ApiException(503, "model '" + name + "' is not ready: "
                        + slots.values().stream().map(s -> s.error).filter(java.util.Objects::nonNull).findFirst().orElse("loading")));
    }

    /** Numeric versions by value, others by name; numeric ones sort first. */
    static int compareVersions(String a, String b) {
        boolean na = a.matches("\\d{1,18}"), nb = b.matches("\\d{1,18}");
        if (na && nb) return Long.compare(Long.parseLong(a), Long.parseLong(b));
        if (na != nb) return na ? -1 : 1;
        return a.compareTo(b);
    }

    /** The versions of a model, oldest first. */
    public List<String> versions(String name) {
        Map<String, Slot> slots = models.get(name);
        if (slots == null) return List.of();
        return slots.keySet().stream().sorted(ModelRepository::compareVersions).toList();
    }

    public List<ServedModel> all() {
        List<ServedModel> out = new ArrayList<>();
        models.values().forEach(slots -> slots.values().forEach(s -> {
            if (s.model != null) out.add(s.model);
        }));
        out.sort(Comparator.comparing(ServedModel::name).thenComparing(ServedModel::version, ModelRepository::compareVersions));
        return out;
    }

    public List<Entry> index() {
        List<Entry> out = new ArrayList<>();
        new TreeMap<>(models).forEach((name, slots) -> slots.keySet().stream().sorted(ModelRepository::compareVersions).forEach(v -> {
            Slot s = slots.get(v);
            String reason = s.error == null ? "" : s.model != null ? "reload failed, serving the previous load: " + s.error : s.error;
            out.add(new Entry(name, v, s.model != null ? "READY" : "UNAVAILABLE", reason));
        }));
        for (String name : new java.util.TreeSet<>(unloaded)) if (!models.containsKey(name)) out.add(new Entry(name, "", "UNLOADED", "unloaded by an admin"));
        return out;
    }

    /** (Re)loads every version of a model from the directory (admin). */
    public synchronized void load(String name) {
        unloaded.remove(name);
        Path base = dir == null ? null : dir.resolve(name).normalize();
        if (base == null || !base.startsWith(dir) || !Files.isDirectory(base)) throw ApiException.notFound("no model directory '" + name + "' under the model repository");
        boolean any = false;
        if (Files.isRegularFile(base.resolve(ModelDirectory.CONFIG_FILE))) {
            refresh(name, "1", base, true);
            any = true;
        }
        try (Stream<Path> vs = Files.list(base)) {
            for (Path v : vs.filter(p -> Files.isRegularFile(p.resolve(ModelDirectory.CONFIG_FILE))).toList()) {
                refresh(name, v.getFileName().toString(), v, true);
                any = true;
            }
        } catch (IOException e) {
            throw new ApiException(500, "cannot list " + base + ": " + e.getMessage());
        }
        if (!any) throw ApiException.notFound("'" + name + "' holds no model (" + ModelDirectory.CONFIG_FILE + " missing)");
        String err = models.getOrDefault(name, Map.of()).values().stream().filter(s -> s.model == null).map(s -> s.error).findFirst().orElse(null);
        if (err != null) throw ApiException.badRequest("failed to load model '" + name + "': " + err);
    }

    /** Unloads a model; rescans leave it unloaded until {@link #load} (admin). */
    public synchronized void unload(String name) {
        if (!models.containsKey(name)) throw ApiException.notFound("unknown model '" + name + "'");
        unloaded.add(name);
        for (String v : List.copyOf(models.get(name).keySet())) drop(name, v);
    }

    public boolean ready() {
        return ready;
    }

    @Override
    public void close() {
        if (watcher != null) watcher.interrupt();
        for (String name : List.copyOf(models.keySet())) {
            for (String v : List.copyOf(models.getOrDefault(name, Map.of()).keySet())) drop(name, v);
        }
    }
}
