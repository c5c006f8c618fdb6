package gradus.cli;

import gradus.config.Config;
import gradus.kernels.Parallel;
import gradus.train.Recipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", description = "Benchmark end-to-end training of the Fashion-MNIST examples: seconds per epoch, samples/s, peak heap, test accuracy.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "mlp (examples/fashion-mlp.yaml) or cnn (examples/fashion-cnn.yaml), or a recipe path.")
    String model;

    @Option(names = "--epochs", description = "Epochs to time (default: the recipe's).")
    Integer epochs;

    @Option(names = "--data-dir", paramLabel = "DIR")
    Path dataDir;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setThreads(threads);
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
        var result = new Recipe(new Config(recipePath.getFileName().toString(), m))
                .run(new Recipe.Options(out, dataDir, epochs, null, false, json ? new java.io.PrintStream(java.io.OutputStream.nullOutputStream()) : System.out));
        var epochsLog = result.history().epochs();
        double best = Double.MAX_VALUE, total = 0, rate = 0;
        for (var e : epochsLog) {
            best = Math.min(best, e.get("seconds"));
            total += e.get("seconds");
            rate = Math.max(rate, e.get("samples_per_s"));
        }
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) peakHeap += pool.getPeakUsage().getUsed();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model);
        r.put("threads", Parallel.threads());
        r.put("epochs", epochsLog.size());
        r.put("seconds_per_epoch_mean", total / epochsLog.size());
        r.put("seconds_per_epoch_best", best);
        r.put("samples_per_s_best", rate);
        r.put("peak_heap_mb", peakHeap / 1e6);
        if (result.test() != null) r.put("test_accuracy", result.test().get("accuracy"));
        if (json) {
            System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r));
        } else {
            System.out.printf(Locale.ROOT, "%s: %d epochs, %.2f s/epoch (best %.2f), %.0f samples/s, peak heap %.0f MB%s%n",
                    model, epochsLog.size(), total / epochsLog.size(), best, rate, peakHeap / 1e6,
                    result.test() != null ? String.format(Locale.ROOT, ", test accuracy %.4f", result.test().get("accuracy")) : "");
        }
        return 0;
    }

    static Path home() {
        String h = System.getProperty("gradus.home");
        return h != null ? Path.of(h) : Path.of(".");
    }
}
