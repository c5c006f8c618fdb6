package gradus.serve;

import gradus.io.ModelDirectory;
import gradus.io.ModelProtection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
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
 * {@code reloadInterval}: new or changed versions are loaded, removed ones dropped.
 * <p>A version is loaded only from one consistent set of files: its files must have stayed the
 * same for {@link #QUIET} before the load begins and until it ends, otherwise the load is discarded
 * and tried again once they are quiet (a copy or an in-place overwrite is still going on). Each
 * load is isolated: whatever it throws (an OutOfMemoryError from a config that asks for too much
 * included) marks only that version UNAVAILABLE with the reason, shown in the index and in 503
 * answers; a version that loaded before keeps serving, and the watcher goes on.
 */
public final class ModelRepository implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());
    /** How long a version's files must stay unchanged before a rescan loads them. */
    static final Duration QUIET = Duration.ofMillis(250);

    /** One row of the repository index (Triton's repository extension). */
    public record Entry(String name, String version, String state, String reason) {}

    /** Loads one model version from its directory (tests substitute failing ones). */
    interface Loader {
        ServedModel load(String name, String version, Path dir) throws IOException;
    }

    private static final class Slot {
        volatile ServedModel model;
        /** The files that the model (or the last failed load) came from; null for a model built in code, which rescans leave alone. */
        volatile FileSnapshot loaded;
        volatile String error;
    }

    /** A version's files as the last rescan saw them, and since when they have looked so (the quiet-period clock). */
    private record Seen(FileSnapshot files, long since) {}

    private final Path dir;
    private final Loader loader;
    private final Map<String, Map<String, Slot>> models = new ConcurrentHashMap<>();
    private final Set<String> unloaded = ConcurrentHashMap.newKeySet();
    private final Map<Path, Seen> seen = new ConcurrentHashMap<>();
    private final Thread watcher;
    private volatile boolean ready;

    public ModelRepository(Path dir, int maxBatchSize, Duration maxDelay, Duration reloadInterval, BiConsumer<String, Integer> batchSizes) {
        this(dir, maxBatchSize, maxDelay, reloadInterval, batchSizes, ModelProtection.NONE);
    }

    /** Each version loads only as {@code protection} allows: signed by a trusted key, decrypted (see {@link ModelDirectory#load(Path, ModelProtection)}). */
    public ModelRepository(Path dir, int maxBatchSize, Duration maxDelay, Duration reloadInterval, BiConsumer<String, Integer> batchSizes, ModelProtection protection) {
        this(dir, reloadInterval, (name, version, path) ->
                ServedModel.load(name, version, path, maxBatchSize, maxDelay, rows -> batchSizes.accept(name, rows), protection));
    }

    ModelRepository(Path dir, Duration reloadInterval, Loader loader) {
        this.dir = dir == null ? null : dir.toAbsolutePath().normalize(); // "./hot" and "hot" are the same repository
        this.loader = loader;
        if (this.dir != null) scan(false);
        ready = true;
        this.watcher = this.dir != null && !reloadInterval.isZero()
                ? Thread.ofVirtual().name("model-watcher").start(() -> watch(reloadInterval)) : null;
    }

    private void watch(Duration interval) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
                scan(true);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) { // one bad rescan must not end the watching
                if (t instanceof Error err && LoadFailure.isFatal(err)) throw err;
                LOG.log(Level.WARNING, "model rescan failed", t);
            }
        }
    }

    /** Brings the loaded models in line with the directory, loading what changed at once. */
    public void scan() {
        scan(false);
    }

    /** @param settle load a changed version only once its files have been quiet for {@link #QUIET} */
    private synchronized void scan(boolean settle) {
        if (dir == null || !Files.isDirectory(dir)) return;
        Map<String, Map<String, Path>> found = new TreeMap<>();
        try (Stream<Path> names = Files.list(dir)) {
            for (Path n : names.filter(Files::isDirectory).sorted().toList()) {
                String name = n.getFileName().toString();
                if (name.startsWith(".")) continue;
                Map<String, Path> versions = versions(n);
                if (!versions.isEmpty()) found.put(name, versions);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list " + dir, e);
            return;
        }
        for (var e : found.entrySet()) {
            if (unloaded.contains(e.getKey())) continue;
            for (var v : e.getValue().entrySet()) refresh(e.getKey(), v.getKey(), v.getValue(), settle);
        }
        seen.keySet().retainAll(found.values().stream().flatMap(v -> v.values().stream()).toList());
        for (String name : List.copyOf(models.keySet())) {
            Map<String, Slot> slots = models.get(name);
            Map<String, Path> present = found.getOrDefault(name, Map.of());
            for (String version : List.copyOf(slots.keySet())) {
                if (!present.containsKey(version) && slots.get(version).loaded != null) drop(name, version);
            }
        }
    }

    /** The tensor-model versions in a model's directory: itself as version 1, and its subdirectories. */
    private static Map<String, Path> versions(Path modelDir) throws IOException {
        Map<String, Path> versions = new TreeMap<>();
        if (isTensorModel(modelDir)) versions.put("1", modelDir);
        try (Stream<Path> vs = Files.list(modelDir)) {
            vs.filter(ModelRepository::isTensorModel).forEach(v -> versions.put(v.getFileName().toString(), v));
        }
        return versions;
    }

    /** A model directory whose input is a tensor; text models (with a tokenizer) are served by {@link gradus.serve.text.TextModels}. */
    private static boolean isTensorModel(Path dir) {
        return Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG_FILE)) && !Files.exists(dir.resolve(ModelDirectory.TOKENIZER_FILE));
    }

    /**
     * Loads a version whose files changed since its last load. Returns false when the files changed
     * while it loaded: the load is discarded (the previous version keeps serving) and retried later.
     */
    private boolean refresh(String name, String version, Path path, boolean settle) {
        FileSnapshot before = FileSnapshot.of(path);
        if (settle) {
            Slot current = models.getOrDefault(name, Map.of()).get(version);
            if (current != null && before.equals(current.loaded)) return true;
            Seen last = seen.get(path);
            if (last == null || !last.files().equals(before)) {
                seen.put(path, new Seen(before, System.nanoTime()));
                return true;
            }
            if (System.nanoTime() - last.since() < QUIET.toNanos()) return true;
        }
        ServedModel m = null;
        Throwable failure = null;
        try {
            m = loader.load(name, version, path);
        } catch (Throwable t) { // isolate the load: nothing it throws may reach the watcher or the other models
            failure = t;
        }
        FileSnapshot after = FileSnapshot.of(path);
        if (!after.equals(before)) {
            seen.put(path, new Seen(after, System.nanoTime()));
            LOG.info(() -> "the files of model " + name + "/" + version + " changed while it loaded; loading it again once they are quiet");
            if (failure instanceof Error err && LoadFailure.isFatal(err)) throw err;
            return false;
        }
        seen.remove(path);
        Slot slot = models.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).computeIfAbsent(version, k -> new Slot());
        slot.loaded = before;
        if (failure == null) {
            ServedModel loadedModel = m;
            slot.model = loadedModel; // requests still running on the old version finish on it
            slot.error = null;
            LOG.info(() -> "loaded model " + loadedModel);
            return true;
        }
        slot.error = LoadFailure.reason(failure);
        LOG.log(Level.WARNING, "cannot load model " + name + "/" + version + " from " + path + ": " + slot.error
                + (slot.model != null ? " (the previous load keeps serving)" : ""), failure);
        if (failure instanceof Error err && LoadFailure.isFatal(err)) throw err; // the JVM itself is failing: do not go on as if healthy
        return true;
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
        s.loaded = null; // not from the directory: rescans leave it alone
        models.computeIfAbsent(model.name(), k -> new ConcurrentHashMap<>()).put(model.version(), s);
    }

    /** The named model, at {@code version} or the newest version when null; 404 otherwise. */
    public ServedModel get(String name, String version) {
        Map<String, Slot> slots = models.get(name);
        if (slots == null || slots.isEmpty()) throw ApiException.notFound("unknown model '" + name + "'");
        if (version != null) {
            Slot s = slots.get(version);
            if (s == null) throw ApiException.notFound("model '" + name + "' has no version '" + version + "'; it has " + new TreeMap<>(slots).keySet());
            if (s.model == null) throw new ApiException(503, "model '" + name + "' version " + version + " is UNAVAILABLE: " + reason(s));
            return s.model;
        }
        return slots.entrySet().stream().filter(e -> e.getValue().model != null)
                .max(Map.Entry.comparingByKey(ModelRepository::compareVersions)).map(e -> e.getValue().model)
                .orElseThrow(() -> new ApiException(503, "model '" + name + "' is UNAVAILABLE: "
                        + slots.values().stream().map(ModelRepository::reason).findFirst().orElse("loading")));
    }

    private static String reason(Slot s) {
        if (s.error == null) return s.model != null ? "" : "loading";
        return s.model != null ? "reload failed, serving the previous load: " + s.error : s.error;
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
            out.add(new Entry(name, v, s.model != null ? "READY" : "UNAVAILABLE", reason(s)));
        }));
        for (String name : new java.util.TreeSet<>(unloaded)) if (!models.containsKey(name)) out.add(new Entry(name, "", "UNLOADED", "unloaded by an admin"));
        return out;
    }

    /** (Re)loads every version of a model from the directory (admin). */
    public synchronized void load(String name) {
        Path base = modelDir(name);
        Map<String, Path> versions;
        try {
            versions = versions(base);
        } catch (IOException e) {
            throw new ApiException(500, "cannot list " + base + ": " + e);
        }
        if (versions.isEmpty()) throw ApiException.notFound("'" + name + "' holds no model (" + ModelDirectory.CONFIG_FILE + " missing)");
        unloaded.remove(name);
        boolean consistent = true;
        for (var v : versions.entrySet()) consistent &= refresh(name, v.getKey(), v.getValue(), false);
        if (!consistent) throw new ApiException(503, "the files of model '" + name + "' changed while it loaded; try again once they are written");
        String err = models.getOrDefault(name, Map.of()).values().stream().filter(s -> s.error != null).map(ModelRepository::reason).findFirst().orElse(null);
        if (err != null) throw ApiException.badRequest("failed to load model '" + name + "': " + err);
    }

    /** {@code DIR/name} when {@code name} is one directory name there; 404 otherwise (no "..", no separators, no NUL). */
    private Path modelDir(String name) {
        Path base = null;
        try {
            if (dir != null && name != null) base = dir.resolve(name).normalize();
        } catch (InvalidPathException e) {
            base = null;
        }
        if (base == null || !dir.equals(base.getParent()) || !Files.isDirectory(base)) {
            throw ApiException.notFound("no model directory '" + name + "' under the model repository");
        }
        return base;
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
