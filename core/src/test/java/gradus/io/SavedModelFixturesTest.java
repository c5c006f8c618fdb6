package gradus.io;

import gradus.autograd.GradMode;
import gradus.kernels.Blas;
import gradus.kernels.VectorWidth;
import gradus.models.Bert;
import gradus.models.Gpt;
import gradus.models.SentenceEmbedder;
import gradus.nn.Module;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import gradus.text.Tokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Model directories saved by Gradus before the typed model card and the op layer (commit 40b4f6c; see
 * fixtures/sources: the recipes they were trained from, 1 epoch or 5 steps on the sample data, and the tiny random
 * Hugging Face BERT that `gradus import` turned into the bert directory). Each must still load and give, on a fixed
 * input, exactly the output bits recorded then ({@code fixtures/models/expected-outputs.txt}, IEEE-754 hex).
 * <p>The bits are those of the Java kernels at this JVM's vector width (the sums' order follows the lanes), recorded
 * for 512 and 256 bits (-Dgradus.vectorBits=256); the test pins the Java GEMM, since auto's choice is measured per machine.
 * The outputs are computed in a fresh JVM ({@link #main}), as they were recorded, so that nothing the rest of the
 * suite set (a GEMM provider, a warmed-up JIT) can reach them; the kernels' bits no longer depend on the JIT
 * ({@link gradus.kernels.VectorExp}, {@link gradus.kernels.VectorMath#lanesSum}).
 */
class SavedModelFixturesTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/models");
    static final String BERT_TEXT = "Call me Ishmael. The white whale!";

    /** Pixels in [0, 1], different per example, position and channel. */
    static Tensor images(int n) {
        float[] v = new float[n * 28 * 28];
        for (int i = 0; i < v.length; i++) v[i] = (i * 37 % 256) / 255f;
        return Tensor.of(v, n, 1, 28, 28);
    }

    static IntTensor ids(int rows, int length, int vocab) {
        int[] v = new int[rows * length];
        for (int i = 0; i < v.length; i++) v[i] = 1 + (i * 7 + i / length * 3) % (vocab - 1);
        return IntTensor.of(v, rows, length);
    }

    /** Every fixture's output on its fixed input, by name. */
    static Map<String, float[]> outputs() throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        // Through Loaded.predict, which applies the MLP's recorded standard scaler first.
        out.put("mlp", ModelDirectory.load(FIXTURES.resolve("mlp")).predict(images(4)).toArray());
        out.put("cnn", ModelDirectory.load(FIXTURES.resolve("cnn")).predict(images(4)).toArray());

        Path lstmDir = FIXTURES.resolve("lstm");
        Module lstm = ModelDirectory.load(lstmDir).model();
        Tokenizer words = ModelDirectory.tokenizer(lstmDir);
        int[] encoded = words.encode("Subject: free money now\nclick here to claim your prize");
        int[] row = Arrays.copyOf(encoded, 32); // right-padded with id 0, as the model was trained
        out.put("lstm.tokens", ints(encoded));
        out.put("lstm", noGrad(() -> lstm.forward(IntTensor.of(concat(row, ids(3, 32, 400).data()), 4, 32).toFloat())));

        Path gptDir = FIXTURES.resolve("gpt");
        Gpt gpt = (Gpt) ModelDirectory.load(gptDir).model();
        int[] prompt = ModelDirectory.tokenizer(gptDir).encode("Call me Ishmael.");
        out.put("gpt.tokens", ints(prompt));
        out.put("gpt", noGrad(() -> gpt.forward(IntTensor.of(prompt, 1, prompt.length))));

        Path bertDir = FIXTURES.resolve("bert");
        Bert bert = (Bert) ModelDirectory.load(bertDir).model();
        IntTensor bertIds = ids(4, 6, 50);
        IntTensor types = IntTensor.of(new int[]{0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, 4, 6);
        IntTensor mask = IntTensor.of(new int[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, 4, 6);
        out.put("bert", noGrad(() -> bert.forward(bertIds, types, mask)));
        SentenceEmbedder embedder = SentenceEmbedder.load(bertDir);
        out.put("bert.embedding", embedder.embed(BERT_TEXT));
        return out;
    }

    @Test
    void directoriesSavedBeforeTheModelCardGiveTheRecordedBits() throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        String width = Integer.toString(VectorWidth.bits());
        for (String line : Files.readAllLines(FIXTURES.resolve("expected-outputs.txt"))) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] parts = line.split(" ", 3); // vector bits, name, hex values
            if (parts[0].equals(width)) expected.put(parts[1], parts[2]);
        }
        Map<String, String> actual = new LinkedHashMap<>();
        for (String line : freshJvmOutputs().split("\n")) {
            if (!line.startsWith("output ")) continue;
            String[] parts = line.split(" ", 3);
            actual.put(parts[1], parts[2]);
        }
        StringJoiner mismatches = new StringJoiner("\n");
        actual.forEach((name, hex) -> {
            if (!hex.equals(expected.get(name))) mismatches.add(width + " " + name + " " + hex);
        });
        if (mismatches.length() > 0) fail("outputs differ from the recorded bits; now:\n" + mismatches);
        assertEquals(expected.keySet(), actual.keySet());
    }

    /** Runs {@link #main} in a new JVM with this one's class path and vector width; its output lines. */
    private static String freshJvmOutputs() throws IOException {
        String launcher = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(launcher, "--add-modules", "jdk.incubator.vector", "-Dgradus.log=warn",
                "-Dgradus.vectorBits=" + VectorWidth.bits(), "-cp", System.getProperty("java.class.path"),
                SavedModelFixturesTest.class.getName());
        pb.directory(Path.of("").toAbsolutePath().toFile());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            assertEquals(0, p.waitFor(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        return out;
    }

    /** Prints "output NAME HEX…" for every fixture, with the Java GEMM (auto's choice is measured per machine). */
    public static void main(String[] args) throws IOException {
        Blas.use(Blas.Provider.JAVA);
        outputs().forEach((name, values) -> System.out.println("output " + name + " " + hex(values)));
    }

    /** Each image alone gives its row of the recorded batch, bit for bit (the kernels' batch invariance, end to end). */
    @Test
    void aRowAloneGivesItsRowOfTheBatch() throws IOException {
        for (String name : new String[]{"mlp", "cnn"}) {
            var loaded = ModelDirectory.load(FIXTURES.resolve(name));
            Tensor batch = images(4);
            float[] all = loaded.predict(batch).toArray();
            int width = all.length / 4;
            for (int i = 0; i < 4; i++) {
                float[] alone = loaded.predict(batch.narrow(0, i, 1)).toArray();
                assertEquals(hex(Arrays.copyOfRange(all, i * width, (i + 1) * width)), hex(alone), name + " row " + i);
            }
        }
    }

    @Test
    void everyFixtureStillLoadsItsConfig() throws IOException {
        for (String name : new String[]{"mlp", "cnn", "lstm", "gpt", "bert"}) {
            assertEquals("gradus", ModelDirectory.readConfig(FIXTURES.resolve(name)).get("format"), name);
        }
        assertArrayEquals(new int[]{1, 28, 28}, ints(ModelDirectory.readConfig(FIXTURES.resolve("mlp")).get("input_shape")));
    }

    private static int[] ints(Object list) {
        return ((java.util.List<?>) list).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
    }

    interface Forward {
        Tensor run();
    }

    private static float[] noGrad(Forward f) {
        try (var g = GradMode.noGrad()) {
            return f.run().toArray();
        }
    }

    /** Token ids as floats, so that they are compared with the outputs (small integers are exact). */
    private static float[] ints(int[] ids) {
        float[] f = new float[ids.length];
        for (int i = 0; i < ids.length; i++) f[i] = ids[i];
        return f;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static String hex(float[] values) {
        StringJoiner j = new StringJoiner(" ");
        for (float v : values) j.add(String.format("%08x", Float.floatToRawIntBits(v)));
        return j.toString();
    }
}
