package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.models.Bert;
import gradus.tensor.IntTensor;
import gradus.io.onnx.OnnxChecker;
import gradus.io.onnx.OrtRunner;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** `gradus export` of a model without an input shape and of an imported BERT, and `gradus info` listing every file (issue 14, item 5). */
class ExportAndInfoTest {
    @TempDir
    Path dir;

    @Test
    void inputShapeOptionStandsInForAMissingCardEntry() throws Exception {
        Rng.manualSeed(4);
        // ReLU first: the card cannot infer the input shape from a leading Linear's features
        Sequential net = new Sequential(new ReLU(), new Flatten(), new Linear(12, 5), new ReLU(), new Linear(5, 2));
        Path model = dir.resolve("bare");
        ModelDirectory.save(model, net, Map.of()); // saved from Java without input_shape
        Path onnx = dir.resolve("bare.onnx");

        CliTest.Run refused = CliTest.cli("export", model.toString(), "--out", onnx.toString());
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("has no input_shape") && refused.err().contains("--input-shape"), refused.err());

        CliTest.Run run = CliTest.cli("export", model.toString(), "--input-shape", "3,4", "--out", onnx.toString());
        assertEquals(0, run.code(), run.err());
        OnnxChecker.assertValid(onnx);
        Tensor x = Tensor.rand(new int[]{2, 3, 4});
        try (OrtRunner ort = new OrtRunner(onnx, 1)) {
            assertArrayEquals(net.predict(x).toArray(), ort.run(Map.of("input", x)).toArray(), 1e-5f);
        }

        CliTest.Run wrong = CliTest.cli("export", model.toString(), "--input-shape", "3,0", "--out", onnx.toString());
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("dimension 1 is 0"), wrong.err());
    }

    @Test
    void importedBertExportsWithHuggingFacesInterfaceReimportsAndInfoListsItsFiles() throws Exception {
        Path original = dir.resolve("model.onnx");
        copy("all-minilm-l6-v2.onnx", original);
        copy("all-minilm-l6-v2-tokenizer.json", dir.resolve("all-minilm-l6-v2-tokenizer.json"));
        Path bert = dir.resolve("bert");
        assertEquals(0, CliTest.cli("import", original.toString(), "--out", bert.toString()).code());
        Files.writeString(bert.resolve("NOTES.md"), "where this model came from\n");

        Path exported = dir.resolve("bert.onnx");
        CliTest.Run export = CliTest.cli("export", bert.toString(), "--out", exported.toString());
        assertEquals(0, export.code(), export.err());
        OnnxChecker.assertValid(exported);
        // Two rows, the first padded: [CLS] hello world [SEP] and [CLS] this is a test [SEP].
        IntTensor ids = IntTensor.of(new int[]{101, 7592, 2088, 102, 0, 0, 101, 2023, 2003, 1037, 3231, 102}, 2, 6);
        IntTensor mask = IntTensor.of(new int[]{1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1}, 2, 6);
        IntTensor types = IntTensor.of(new int[12], 2, 6);
        Map<String, Object> feeds = Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types);
        Tensor gradus = ((Bert) ModelDirectory.load(bert).model()).forward(ids, types, mask);
        try (OrtRunner ours = new OrtRunner(exported, 1); OrtRunner theirs = new OrtRunner(original, 1)) {
            Tensor viaExport = ours.run(feeds), viaOriginal = theirs.run(feeds);
            assertArrayEquals(viaOriginal.shape(), viaExport.shape());
            assertArrayEquals(viaOriginal.toArray(), viaExport.toArray(), 1e-4f, "the export computes what the file it was imported from does");
            assertArrayEquals(gradus.toArray(), viaExport.toArray(), 1e-4f, "ONNX Runtime on the export equals Gradus");
        }

        Path reimported = dir.resolve("bert-again");
        CliTest.Run again = CliTest.cli("import", exported.toString(), "--tokenizer", dir.resolve("all-minilm-l6-v2-tokenizer.json").toString(),
                "--out", reimported.toString());
        assertEquals(0, again.code(), again.err());
        // Re-imported from its own export: the same architecture and the same weights, bit for bit.
        Bert first = (Bert) ModelDirectory.load(bert).model(), second = (Bert) ModelDirectory.load(reimported).model();
        assertEquals(first.config(), second.config(), "re-imported from its own export: the same architecture");
        Map<String, Tensor> weights = first.stateDict(), reread = second.stateDict();
        assertEquals(weights.keySet(), reread.keySet());
        weights.forEach((name, w) -> assertArrayEquals(w.toArray(), reread.get(name).toArray(), 0f, name + " survives export and import"));
        // Hence the same forward, bit for bit: no kernel's result depends on when the JIT compiled it (kernels/VectorExp).
        assertArrayEquals(gradus.toArray(), second.forward(ids, types, mask).toArray(), 0f, "re-imported from its own export");

        CliTest.Run info = CliTest.cli("info", bert.toString());
        assertEquals(0, info.code(), info.err());
        for (String file : new String[]{"config.json", "model.safetensors", "tokenizer.json", "manifest.json"}) {
            assertTrue(info.out().matches("(?s).*\\n  " + file.replace(".", "\\.") + " +[0-9.]+ (B|KiB|MiB)\\n.*"), file + " in\n" + info.out());
        }
        assertTrue(info.out().contains("NOTES.md") && info.out().contains("not in manifest.json"), info.out());
    }

    private static void copy(String resource, Path to) throws Exception {
        try (InputStream in = ExportAndInfoTest.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, to);
        }
    }
}
