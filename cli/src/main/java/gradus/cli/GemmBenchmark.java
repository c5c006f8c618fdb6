package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.kernels.Blas;
import gradus.kernels.Gemm;
import gradus.kernels.Parallel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * GFLOPS of {@link Gemm#sgemm} with each provider (java, openblas, auto) on square sizes and the shapes of the
 * example MLP and CNN layers (batch 128; im2col chunks of 32 images), next to NumPy's OpenBLAS run by
 * bench/numpy_gemm.py in the same invocation, and as a fraction of the machine's peak.
 */
final class GemmBenchmark {
    record Shape(String name, boolean tA, boolean tB, int m, int n, int k) {
        String dims() {
            return (tA ? "T " : "N ") + (tB ? "T " : "N ") + m + "x" + n + "x" + k;
        }
    }

    /** The same list as bench/numpy_gemm.py. */
    static final List<Shape> SHAPES = List.of(
            new Shape("square 256", false, false, 256, 256, 256),
            new Shape("square 512", false, false, 512, 512, 512),
            new Shape("square 1024", false, false, 1024, 1024, 1024),
            new Shape("square 2048", false, false, 2048, 2048, 2048),
            new Shape("mlp fwd X·Wt", false, true, 128, 64, 784),
            new Shape("mlp dW dYt·X", true, false, 64, 784, 128),
            new Shape("mlp dW Xt·dY", true, false, 784, 64, 128),
            new Shape("mlp dX dY·W", false, false, 128, 784, 64),
            new Shape("conv1 W·cols", false, false, 32, 784 * 32, 9),
            new Shape("conv1 dW dY·colsT", false, true, 32, 9, 784 * 32),
            new Shape("conv1 dcols WT·dY", true, false, 9, 784 * 32, 32),
            new Shape("conv2 W·cols", false, false, 64, 196 * 32, 288),
            new Shape("conv2 dW dY·colsT", false, true, 64, 288, 196 * 32),
            new Shape("conv2 dcols WT·dY", true, false, 288, 196 * 32, 64));

    /** The peer NumPy run by the last {@link #numpy} call: its version and BLAS (a reference BLAS would show here). */
    private static String peer = "numpy not run";

    private GemmBenchmark() {}

    /**
     * Measures every shape with every provider, interleaved round by round so that background load hits all
     * alike, and reports each one's best round (slower rounds measure the neighbours). NumPy runs before and
     * after, best of both. Returns {shape name: {provider or "numpy": GFLOPS}}.
     */
    static Map<String, Map<String, Double>> run(int repeats, Path home) throws IOException, InterruptedException {
        List<Blas.Provider> providers = Blas.openBlasAvailable()
                ? List.of(Blas.Provider.JAVA, Blas.Provider.OPENBLAS, Blas.Provider.AUTO) : List.of(Blas.Provider.JAVA);
        Map<String, Double> numpy = numpy(home, repeats);
        Map<String, Map<String, Double>> results = new LinkedHashMap<>();
        Blas.Provider before = Blas.provider();
        try {
            for (Shape s : SHAPES) {
                Map<String, Double> row = new LinkedHashMap<>();
                Random rnd = new Random(1);
                float[] a = random(rnd, s.m * s.k), b = random(rnd, s.k * s.n), c = new float[s.m * s.n];
                double flops = 2.0 * s.m * s.n * s.k;
                int calls = (int) Math.max(1, Math.min(100_000, 2e9 / flops)); // ~0.05 s per timing at 40 GF/s
                for (int r = 0; r <= repeats; r++) { // round 0 warms up the JIT
                    for (Blas.Provider p : providers) {
                        Blas.use(p);
                        double gflops = flops * calls / time(s, a, b, c, calls) / 1e9;
                        if (r > 0) row.merge(p.name().toLowerCase(Locale.ROOT), gflops, Math::max);
                    }
                }
                results.put(s.name, row);
            }
        } finally {
            Blas.use(before);
        }
        Map<String, Double> numpyAfter = numpy(home, repeats);
        for (Shape s : SHAPES) {
            Double x = numpy.get(s.name), y = numpyAfter.get(s.name);
            if (x != null || y != null) results.get(s.name).put("numpy", Math.max(x == null ? 0 : x, y == null ? 0 : y));
        }
        return results;
    }

    private static double time(Shape s, float[] a, float[] b, float[] c, int calls) {
        int lda = s.tA ? s.m : s.k, ldb = s.tB ? s.k : s.n;
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) Gemm.sgemm(s.tA, s.tB, s.m, s.n, s.k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, s.n);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * NumPy's GFLOPS per shape, empty when python3 or NumPy is missing. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
     * are removed for this child only: set, they hold OpenBLAS to older kernels than the CPU has.
     */
    static Map<String, Double> numpy(Path home, int repeats) throws IOException, InterruptedException {
        Path script = home.resolve("bench/numpy_gemm.py");
        if (!Files.exists(script)) return Map.of();
        ProcessBuilder pb = new ProcessBuilder(python(), script.toString(), String.valueOf(repeats), "--json");
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("OPENBLAS_L2_SIZE");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || out.isBlank()) return Map.of();
        Map<?, ?> json = new ObjectMapper().readValue(out, Map.class);
        if (json.get("machine") instanceof Map<?, ?> m) peer = "numpy " + m.get("numpy") + " (" + python() + ")";
        Map<String, Double> r = new LinkedHashMap<>();
        ((Map<?, ?>) json.get("gflops")).forEach((k, v) -> r.put((String) k, ((Number) v).doubleValue()));
        return r;
    }

    /** $GRADUS_PYTHON, else Debian's python3 (with its python3-numpy / python3-torch), else python3 on the PATH. */
    static String python() {
        String env = System.getenv("GRADUS_PYTHON");
        if (env != null && !env.isBlank()) return env;
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** Prints the table; ratios are to NumPy and to the machine's peak. */
    static void print(Map<String, Map<String, Double>> results, MachinePeak peak) {
        System.out.printf(Locale.ROOT, "GEMM GFLOPS (fp32, best round; %d threads)%n", Parallel.threads());
        System.out.printf(Locale.ROOT, "machine peak %.0f GFLOPS = %s%n", peak.gflops(), peak);
        System.out.println("peer: " + peer + ", OPENBLAS_CORETYPE unset for it");
        System.out.printf(Locale.ROOT, "%-20s %-20s %8s %9s %8s %8s %11s %11s %10s%n", "shape", "m x n x k",
                "java", "openblas", "auto", "numpy", "java/numpy", "auto/numpy", "auto/peak");
        for (Shape s : SHAPES) {
            Map<String, Double> r = results.get(s.name);
            double java = r.getOrDefault("java", Double.NaN), auto = r.getOrDefault("auto", java);
            double numpy = r.getOrDefault("numpy", Double.NaN);
            System.out.printf(Locale.ROOT, "%-20s %-20s %8.1f %9.1f %8.1f %8.1f %11.2f %11.2f %10.2f%n", s.name, s.dims(),
                    java, r.getOrDefault("openblas", Double.NaN), auto, numpy, java / numpy, auto / numpy, auto / peak.gflops());
        }
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    /** Rows of the table as JSON-friendly maps. */
    static List<Map<String, Object>> rows(Map<String, Map<String, Double>> results) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Shape s : SHAPES) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("shape", s.name);
            row.put("mnk", s.dims());
            row.putAll(results.get(s.name));
            rows.add(row);
        }
        return rows;
    }
}
