package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI end to end on the bundled sample: train → eval → predict → info, and its error messages. */
class CliTest {
    @TempDir
    static Path dir;
    static Path model;

    record Run(int code, String out, String err) {}

    static synchronized Run cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Path recipe(String name, String yaml) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    private static final String SAMPLE_MLP = """
            name: sample-mlp
            seed: 7
            data:
              train: fashion-mnist-sample:train
              validation: fashion-mnist-sample:test
            model:
              type: Sequential
              layers:
                - {type: Flatten}
                - {type: Linear, in: 784, out: 32}
                - {type: ReLU}
                - {type: Linear, in: 32, out: 10}
            loss: cross_entropy
            optimizer: {type: adam, lr: 0.003}
            training: {epochs: 4, batch_size: 64}
            """;

    @BeforeAll
    static void train() throws Exception {
        Run r = cli("train", recipe("mlp.yaml", SAMPLE_MLP).toString(), "--out", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch 4/4"), r.out());
        model = dir.resolve("run/model");
        assertTrue(Files.exists(model.resolve("config.json")) && Files.exists(model.resolve("model.safetensors")));
        assertEquals(4, Files.readAllLines(dir.resolve("run/metrics.jsonl")).stream().filter(l -> !l.contains("\"step\"")).count(), "epoch lines");
    }

    @Test
    @SuppressWarnings("unchecked")
    void evalJsonHasTheReportFields() throws Exception {
        Run r = cli("eval", model.toString(), "--data", "fashion-mnist-sample:test", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> json = new ObjectMapper().readValue(r.out(), Map.class);
        for (String key : List.of("accuracy", "precision_macro", "recall_macro", "f1_macro", "loss", "samples", "per_class")) {
            assertTrue(json.containsKey(key), key + " missing in " + r.out());
        }
        assertEquals(500, json.get("samples"));
        assertTrue((Double) json.get("accuracy") > 0.7, r.out());
        Map<String, Map<String, Object>> perClass = (Map<String, Map<String, Object>>) json.get("per_class");
        assertEquals(10, perClass.size());
        assertTrue(perClass.get("Ankle boot").keySet().containsAll(List.of("precision", "recall", "f1", "support")));
    }

    @Test
    void evalTextShowsConfusionMatrix() {
        Run r = cli("eval", model.toString(), "--data", "fashion-mnist-sample:test");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("actual \\ predicted") && r.out().contains("macro avg"), r.out());
    }

    @Test
    void predictAndInfo() throws Exception {
        Run r = cli("predict", model.toString(), "fashion-mnist-sample:test#0", "fashion-mnist-sample:test#1", "--json");
        assertEquals(0, r.code(), r.err());
        var json = new ObjectMapper().readTree(r.out());
        assertEquals(2, json.get("predictions").size());
        assertEquals("Ankle boot", json.get("predictions").get(0).get("actual").asText());
        assertTrue(json.get("predictions").get(0).has("probabilities"));
        Run info = cli("info", model.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("25,450") || info.out().contains("25450"), info.out());
    }

    @Test
    void resumedRunEqualsUninterruptedRun() throws Exception {
        Path yaml = recipe("resume.yaml", SAMPLE_MLP);
        assertEquals(0, cli("train", yaml.toString(), "--out", dir.resolve("half").toString(), "--epochs", "2", "--no-progress").code());
        Run resumed = cli("train", yaml.toString(), "--out", dir.resolve("resumed").toString(), "--resume",
                dir.resolve("half/model").toString(), "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming from") && resumed.out().contains("epoch 4/4") && !resumed.out().contains("epoch 2/"), resumed.out());
        // the uninterrupted 4-epoch run is the class fixture: same weights, bit for bit
        var a = gradus.io.Safetensors.read(model.resolve("model.safetensors")).tensors();
        var b = gradus.io.Safetensors.read(dir.resolve("resumed/model/model.safetensors")).tensors();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), k);
    }

    @Test
    void resumedRunWithDropoutEqualsUninterruptedRun() throws Exception {
        // Dropout draws from the global generator; the trainer reseeds it per epoch, so a resumed run draws the same masks.
        Path yaml = recipe("dropout.yaml", SAMPLE_MLP.replace("- {type: ReLU}", "- {type: ReLU}\n    - {type: Dropout, p: 0.3}"));
        Run full = cli("train", yaml.toString(), "--out", dir.resolve("dropout-full").toString(), "--no-progress");
        assertEquals(0, full.code(), full.err());
        Run half = cli("train", yaml.toString(), "--out", dir.resolve("dropout-half").toString(), "--epochs", "2", "--no-progress");
        assertEquals(0, half.code(), half.err());
        Run resumed = cli("train", yaml.toString(), "--out", dir.resolve("dropout-resumed").toString(), "--resume",
                dir.resolve("dropout-half/model").toString(), "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        var a = gradus.io.Safetensors.read(dir.resolve("dropout-full/model/model.safetensors")).tensors();
        var b = gradus.io.Safetensors.read(dir.resolve("dropout-resumed/model/model.safetensors")).tensors();
        String saved = Files.readString(dir.resolve("dropout-full/model/config.json"));
        assertTrue(saved.contains("\"Dropout\""), "the trained model has its Dropout layer: " + saved);
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), k);
    }

    @Test
    void unknownConfigKeyNamesKeyAndAllowed() throws Exception {
        Path bad = recipe("bad.yaml", SAMPLE_MLP.replace("training: {epochs: 4, batch_size: 64}", "training: {epochs: 1, batchsize: 64}"));
        Run r = cli("train", bad.toString(), "--out", dir.resolve("bad").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("batchsize") && r.err().contains("allowed: ") && r.err().contains("batch_size"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line without --verbose: " + r.err());

        Path badLayer = recipe("badlayer.yaml", SAMPLE_MLP.replace("{type: Linear, in: 784, out: 32}", "{type: Linear, in: 784, outs: 32}"));
        Run r2 = cli("train", badLayer.toString(), "--out", dir.resolve("bad2").toString());
        assertTrue(r2.err().contains("outs") && r2.err().contains("model.layers[1]"), r2.err());
    }

    @Test
    void missingDataSaysWhereItLooked(@TempDir Path empty) throws Exception {
        Path p = recipe("full.yaml", SAMPLE_MLP.replace("fashion-mnist-sample:train", "fashion-mnist:train"));
        // a data directory the user names is used or refused, never silently replaced by the system copy or a download
        System.setProperty("gradus.offline", "true");
        try {
            Run r = cli("train", p.toString(), "--data-dir", empty.toString(), "--out", dir.resolve("x").toString());
            assertEquals(1, r.code());
            assertTrue(r.err().contains(empty.toString()) && r.err().contains("dataset-fashion-mnist"), r.err());
        } finally {
            System.clearProperty("gradus.offline");
        }
    }

    @Test
    void corruptCheckpointNamesTheFile() throws Exception {
        Path copy = dir.resolve("corrupt");
        Files.createDirectories(copy);
        Files.copy(model.resolve("config.json"), copy.resolve("config.json"));
        byte[] weights = Files.readAllBytes(model.resolve("model.safetensors"));
        Files.write(copy.resolve("model.safetensors"), java.util.Arrays.copyOf(weights, weights.length / 2));
        Run r = cli("eval", copy.toString(), "--data", "fashion-mnist-sample:test");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("model.safetensors"), r.err());
        Run verbose = cli("eval", copy.toString(), "--data", "fashion-mnist-sample:test", "--verbose");
        assertTrue(verbose.err().contains("\tat "), "stack trace with --verbose");
    }

    @Test
    void examplesTrainToUsefulAccuracy() {
        Run a = cli("train", home("examples/binary-dense.yaml"), "--out", dir.resolve("a").toString(), "--no-progress");
        assertEquals(0, a.code(), a.err());
        Run ea = cli("eval", dir.resolve("a/model").toString(), "--data", home("examples/data/blobs.csv"), "--json");
        assertTrue(accuracy(ea) > 0.9, ea.out());
        Run b = cli("train", home("examples/moons-mlp.yaml"), "--out", dir.resolve("b").toString(), "--no-progress");
        assertEquals(0, b.code(), b.err());
        Run eb = cli("eval", dir.resolve("b/model").toString(), "--data", home("examples/data/moons.csv"), "--json");
        assertTrue(accuracy(eb) > 0.95, eb.out());
        Run e = cli("train", home("examples/boston-regression.yaml"), "--out", dir.resolve("e").toString(), "--no-progress");
        assertEquals(0, e.code(), e.err());
        Run ee = cli("eval", dir.resolve("e/model").toString(), "--data", "boston:test", "--json");
        assertTrue(ee.out().contains("\"r2\""), ee.out());
        assertTrue(number(ee, "r2") > 0.75, ee.out());
    }

    private static String home(String rel) {
        Path p = Path.of("..").resolve(rel);
        return Files.exists(p) ? p.toString() : rel;
    }

    private static double accuracy(Run r) {
        return number(r, "accuracy");
    }

    private static double number(Run r, String key) {
        try {
            return new ObjectMapper().readTree(r.out()).get(key).asDouble();
        } catch (Exception e) {
            throw new AssertionError(r.out() + r.err(), e);
        }
    }
}
