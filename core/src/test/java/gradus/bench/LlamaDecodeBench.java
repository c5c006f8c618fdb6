package gradus.bench;

import gradus.io.gguf.GgmlType;
import gradus.kernels.Parallel;
import gradus.llm.Llama;
import gradus.llm.RandomLlama;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Decode tokens/s at batch 1 of a random Llama-shaped GGUF model, Gradus next to llama.cpp (tools/llama-cpp,
 * same thread count), in alternating rounds; each also as a fraction of the memory-bandwidth ceiling (bytes of
 * weights read per token ÷ a read bandwidth measured in the same run). Not a test: bench/llama-decode.sh runs it.
 * Args: TYPE (Q8_0, Q4_0, F32…) SHAPE (1b: dim 2048, 16 layers, 32/8 heads, SwiGLU 8192, vocabulary 32000;
 * small: the test model) ROUNDS STEPS.
 */
public final class LlamaDecodeBench {
    private static final int[] PROMPT = {1, 300, 301, 500, 42, 77, 900, 17};

    private LlamaDecodeBench() {}

    public static void main(String[] args) throws Exception {
        GgmlType type = GgmlType.valueOf(args.length > 0 ? args[0] : "Q8_0");
        String shape = args.length > 1 ? args[1] : "1b";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3, steps = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        RandomLlama spec = shape.equals("1b") ? new RandomLlama(2048, 16, 32, 8, 8192, 32000, 2048, 500000f) : RandomLlama.small();
        Path file = Path.of("runs", "llama-bench-" + shape + "-" + type + ".gguf");
        if (!Files.exists(file)) {
            System.out.println("writing " + file);
            spec.write(file, type, 1);
        }
        int threads = Parallel.threads();
        long weightBytes;
        try (Llama model = Llama.open(file)) {
            weightBytes = model.gguf().size() - model.gguf().dataOffset();
            weightBytes -= model.gguf().tensor("token_embd.weight").data().byteSize(); // one row read, not the table
        }
        System.out.printf(Locale.ROOT, "%s %s, %d threads, %.0f MB of weights read per token%n", shape, type, threads, weightBytes / 1e6);
        for (int r = 0; r < rounds; r++) {
            double bandwidth = readBandwidth(null);
            double gradus = gradusTokensPerSecond(file, steps);
            double llamaCpp = llamaCppTokensPerSecond(file, steps, threads);
            double ceiling = bandwidth / weightBytes;
            System.out.printf(Locale.ROOT, "round %d: gradus %.2f tok/s (%.0f%% of ceiling), llama.cpp %.2f tok/s (%.0f%%), ratio %.2f; "
                    + "bandwidth %.1f GB/s → ceiling %.1f tok/s%n", r, gradus, 100 * gradus / ceiling, llamaCpp,
                    100 * llamaCpp / ceiling, gradus / llamaCpp, bandwidth / 1e9, ceiling);
        }
    }

    private static double gradusTokensPerSecond(Path file, int steps) throws IOException {
        try (Llama model = Llama.open(file)) {
            Llama.Session s = model.newSession(PROMPT.length + steps + 1);
            float[] logits = null;
            for (int t : PROMPT) logits = model.forward(s, t);
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) logits = model.forward(s, gradus.llm.Greedy.argMax(logits));
            return steps / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static double llamaCppTokensPerSecond(Path file, int steps, int threads) throws Exception {
        Path tools = Path.of("tools", "llama-cpp");
        String prompt = java.util.Arrays.stream(PROMPT).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(","));
        Process p = new ProcessBuilder("node", "decode-bench.mjs", file.toAbsolutePath().toString(), prompt,
                Integer.toString(steps), Integer.toString(threads)).directory(tools.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("decode-bench.mjs failed: " + out);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
        return json.get("decode_tokens_per_s").asDouble();
    }

    /**
     * Bytes/s of a vectorized read over a 512 MiB float array (four independent sums, so memory and not add latency
     * bounds it), best of five, split over the same threads as decoding.
     */
    private static double readBandwidth(Path unused) {
        float[] data = BANDWIDTH_BUFFER;
        var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        int step = 4 * species.length();
        double best = 0;
        for (int round = 0; round < 5; round++) {
            float[] sums = new float[Parallel.threads()];
            long start = System.nanoTime();
            Parallel.forRange(sums.length, 1, (from, to) -> {
                for (int t = from; t < to; t++) {
                    int lo = (int) ((long) data.length * t / sums.length / step * step);
                    int hi = (int) ((long) data.length * (t + 1) / sums.length / step * step);
                    var a = jdk.incubator.vector.FloatVector.zero(species);
                    var b = a;
                    var c = a;
                    var d = a;
                    for (int i = lo; i < hi; i += step) {
                        a = a.add(jdk.incubator.vector.FloatVector.fromArray(species, data, i));
                        b = b.add(jdk.incubator.vector.FloatVector.fromArray(species, data, i + species.length()));
                        c = c.add(jdk.incubator.vector.FloatVector.fromArray(species, data, i + 2 * species.length()));
                        d = d.add(jdk.incubator.vector.FloatVector.fromArray(species, data, i + 3 * species.length()));
                    }
                    sums[t] = a.add(b).add(c).add(d).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                }
            });
            best = Math.max(best, 4.0 * data.length / ((System.nanoTime() - start) / 1e9));
        }
        return best;
    }

    private static final float[] BANDWIDTH_BUFFER = new float[128 << 20];
}
