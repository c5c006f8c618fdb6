package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.config.Config;
import gradus.kernels.Blas;
import gradus.kernels.Machine;
import gradus.kernels.Parallel;
import gradus.recipe.Recipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", description = {
        "Benchmarks next to NumPy and PyTorch on this machine, in one run.",
        "gemm: GEMM GFLOPS per provider (java, openblas, auto) vs NumPy and the machine's peak.",
        "mlp | cnn: training on full Fashion-MNIST (examples/fashion-*.yaml): seconds/epoch, samples/s, peak heap/RSS, "
                + "test accuracy, vs bench/torch_fashion.py at PyTorch's best settings.",
        "all (default): gemm, then mlp and cnn, each model trained in a fresh JVM."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "WHAT", defaultValue = "all", description = "all, gemm, mlp, cnn, or a recipe path (training only).")
    String what;

    @Option(names = "--epochs", description = "Epochs to time (default: the recipe's).")
    Integer epochs;

    @Mixin DataDirOption dataDir;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--repeats", defaultValue = "5", description = "GEMM timing rounds per shape (best is reported).")
    int repeats;

    @Option(names = "--rounds", defaultValue = "1", description = "Training runs per framework, interleaved (best is reported).")
    int rounds;

    @Option(names = "--no-peers", negatable = false, description = "Skip NumPy and PyTorch.")
    boolean noPeers;

    @Option(names = "--json", description = "Print the results as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setThreads(threads);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("machine", whereItRuns());
        if (!json) whereItRuns().forEach((k, v) -> System.out.println(k + ": " + v));
        switch (what) {
            case "gemm" -> out.put("gemm", gemm());
            case "all" -> {
                out.put("gemm", gemm());
                out.put("mlp", sideBySide("mlp"));
                out.put("cnn", sideBySide("cnn"));
            }
            case "mlp", "cnn" -> {
                if (noPeers) out.putAll(train(what));
                else out.put(what, sideBySide(what));
            }
            default -> out.putAll(train(what));
        }
        if (json) System.out.println(new ObjectMapper().writeValueAsString(out));
        return 0;
    }

    /** What every bench output starts with: the CPU, the features that matter, the vector width, the providers. */
    static Map<String, Object> whereItRuns() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", Machine.current().describe() + "; " + Parallel.threads() + " threads; " + Runtime.version());
        m.put("gemm", Blas.provider().name().toLowerCase(Locale.ROOT) + (Blas.openBlasAvailable() ? " (java kernels, "
                + Blas.describeNative() + ")" : " (java kernels only: " + Blas.describeNative() + ")"));
        m.put("gemm auto", String.join("\n  ", Blas.autoChoice()));
        return m;
    }

    private List<Map<String, Object>> gemm() throws IOException, InterruptedException {
        var results = GemmBenchmark.run(repeats, noPeers ? Path.of("/nonexistent") : home());
        if (!json) GemmBenchmark.print(results, MachinePeak.detect(Parallel.threads()));
        return GemmBenchmark.rows(results);
    }

    /**
     * Gradus (each run in a fresh JVM, so that peak heap and RSS are this model's alone) and PyTorch, alternating
     * {@code rounds} times; the best epoch of each, and their ratio.
     */
    private Map<String, Object> sideBySide(String model) throws IOException, InterruptedException {
        Map<String, Object> gradus = null, torch = null;
        for (int r = 0; r < rounds; r++) {
            gradus = best(gradus, childGradus(model));
            if (!noPeers) torch = best(torch, childTorch(model));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("gradus", gradus);
        if (torch != null) {
            result.put("pytorch", torch);
            result.put("epoch_time_ratio", num(gradus, "seconds_per_epoch_best") / num(torch, "seconds_per_epoch_best"));
        }
        if (!json) printSideBySide(model, gradus, torch);
        return result;
    }

    private static Map<String, Object> best(Map<String, Object> a, Map<String, Object> b) {
        if (a == null) return b;
        return num(b, "seconds_per_epoch_best") < num(a, "seconds_per_epoch_best") ? b : a;
    }

    private static double num(Map<String, Object> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static void printSideBySide(String model, Map<String, Object> g, Map<String, Object> t) {
        System.out.printf(Locale.ROOT, "%n%s training (full Fashion-MNIST, batch 128, Adam 1e-3; best epoch)%n", model);
        System.out.printf(Locale.ROOT, "%-34s %12s %12s %8s%n", "", "gradus", "pytorch", "ratio");
        for (String[] row : new String[][]{{"seconds/epoch", "seconds_per_epoch_best"}, {"samples/s", "samples_per_s_best"},
                {"peak heap MiB", "peak_heap_mib"}, {"peak RSS MB", "peak_rss_mb"}, {"test accuracy", "test_accuracy"}}) {
            double a = num(g, row[1]), b = num(t, row[1]);
            if (row[1].equals("test_accuracy")) { // compared in points, not as a ratio
                System.out.printf(Locale.ROOT, "%-34s %12.4f %12.4f %+7.2f pt%n", row[0], a, b, 100 * (a - b));
            } else {
                System.out.printf(Locale.ROOT, "%-34s %12.4g %12.4g %8.3f%n", row[0], a, b, a / b);
            }
        }
        if (t != null) System.out.printf(Locale.ROOT, "pytorch: %s%n", t.get("framework") + ", " + t.get("settings"));
    }

    /** `gradus bench MODEL --no-peers --json` in a fresh JVM with this JVM's options. */
    private Map<String, Object> childGradus(String model) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        cmd.addAll(jvmOptions);
        // The MLP runs in 512 MB unless GRADUS_JAVA_OPTS sizes the heap, so that the peak heap reported is what
        // training needs: a step's garbage is about 1 MB, and the small young generation leaves the old one room
        // for the training images twice over while the recipe scales them (Recipe copies them once). The CNN
        // keeps the JVM's default heap: its step allocates ~100 MB of activations, and a young generation of a
        // few hundred MB would collect (and copy the live step) every few steps.
        boolean heapGiven = jvmOptions.stream().anyMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxRAM"));
        if (model.equals("mlp") && !heapGiven) cmd.addAll(List.of("-Xmx512m", "-Xmn64m"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "bench", model, "--no-peers", "--json"));
        if (epochs != null) cmd.addAll(List.of("--epochs", epochs.toString()));
        if (dataDir.dir != null) cmd.addAll(List.of("--data-dir", dataDir.dir.toString()));
        cmd.addAll(List.of("--threads", String.valueOf(Parallel.threads())));
        return child(new ProcessBuilder(cmd));
    }

    /**
     * bench/torch_fashion.py at PyTorch's best settings found on this machine: its own intra-op threads
     * (torch.set_num_threads = cores) and OpenBLAS single-threaded under them; OPENBLAS_CORETYPE and
     * OPENBLAS_L2_SIZE removed so that OpenBLAS picks its kernels for this CPU.
     */
    private Map<String, Object> childTorch(String model) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(GemmBenchmark.python(), home().resolve("bench/torch_fashion.py").toString(),
                model, "--threads", String.valueOf(Parallel.threads())));
        if (epochs != null) cmd.addAll(List.of("--epochs", epochs.toString()));
        if (dataDir.dir != null) cmd.addAll(List.of("--data-dir", dataDir.dir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("OPENBLAS_L2_SIZE");
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Map<String, Object> r = child(pb);
        if (r != null) r.put("settings", "torch.set_num_threads(" + Parallel.threads() + "), OPENBLAS_NUM_THREADS=1");
        return r;
    }

    /** Runs a benchmark child and parses the JSON object on its last output line; null (with a note) if it fails. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(ProcessBuilder pb) throws IOException, InterruptedException {
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int rc = p.waitFor();
        String last = out.substring(out.lastIndexOf('\n') + 1);
        if (rc != 0 || !last.startsWith("{")) {
            System.err.println("gradus bench: " + String.join(" ", pb.command()) + " failed (exit " + rc + ")");
            return null;
        }
        Map<String, Object> m = new ObjectMapper().readValue(last, Map.class);
        if (m.size() == 1 && m.values().iterator().next() instanceof Map<?, ?> inner) m = (Map<String, Object>) inner;
        return m;
    }

    /** Trains one recipe in this JVM and measures it. */
    private Map<String, Object> train(String model) throws Exception {
        Path recipePath = switch (model) {
            case "mlp" -> home().resolve("examples/fashion-mlp.yaml");
            case "cnn" -> home().resolve("examples/fashion-cnn.yaml");
            default -> Path.of(model);
        };
        Config config = Yaml.read(recipePath);
        Map<String, Object> m = config.asMap();
        @SuppressWarnings("unchecked")
        Map<String, Object> data = new LinkedHashMap<>((Map<String, Object>) m.get("data"));
        // Time pure training epochs on the full training split; evaluate once at the end.
        data.remove("validation_split");
        Object validation = data.remove("validation");
        if (validation != null && !data.containsKey("test")) data.put("test", validation);
        m.put("data", data);
        Path out = Files.createTempDirectory("gradus-bench");
        Recipe.Result result;
        long peakHeap;
        try (HeapPeak heap = new HeapPeak()) {
            result = new Recipe(new Config(recipePath.getFileName().toString(), m))
                    .run(new Recipe.Options(out, dataDir.dir, epochs, null, false, json ? new PrintStream(OutputStream.nullOutputStream()) : System.out));
            peakHeap = heap.bytes();
        }
        var epochsLog = result.history().epochs();
        double best = Double.MAX_VALUE, total = 0, rate = 0;
        for (var e : epochsLog) {
            best = Math.min(best, e.get("seconds"));
            total += e.get("seconds");
            rate = Math.max(rate, e.get("samples_per_s"));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model);
        r.put("framework", "gradus (" + Blas.describe() + ")");
        r.put("threads", Parallel.threads());
        r.put("epochs", epochsLog.size());
        r.put("seconds_per_epoch_mean", total / epochsLog.size());
        r.put("seconds_per_epoch_best", best);
        r.put("samples_per_s_best", rate);
        // MiB, the unit of -Xmx: the most heap in use at once (just before the fullest collection)
        r.put("peak_heap_mib", peakHeap / 1048576.0);
        r.put("max_heap_mib", Runtime.getRuntime().maxMemory() / 1048576.0);
        r.put("peak_rss_mb", peakRssMb());
        if (result.test() != null) r.put("test_accuracy", result.test().get("accuracy"));
        if (!json) {
            System.out.printf(Locale.ROOT, "%s: %d epochs, %.2f s/epoch (best %.2f), %.0f samples/s, peak heap %.0f MiB, peak RSS %.0f MB%s%n",
                    model, epochsLog.size(), total / epochsLog.size(), best, rate, peakHeap / 1048576.0, peakRssMb(),
                    result.test() != null ? String.format(Locale.ROOT, ", test accuracy %.4f", result.test().get("accuracy")) : "");
        }
        return r;
    }

    /** This process's peak resident set (VmHWM), NaN where /proc is missing. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1e3;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Double.NaN;
    }

    static Path home() {
        String h = System.getProperty("gradus.home");
        return h != null ? Path.of(h) : Path.of(".");
    }
}
