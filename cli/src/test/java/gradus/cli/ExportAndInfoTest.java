package gradus.cli;

import gradus.io.ModelDirectory;
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

/** `gradus export` of models without an input shape or of an imported BERT, and `gradus info` listing every file (issue 14, item 5). */
class ExportAndInfoTest {
    @TempDir
    Path dir;

    @Test
    void inputShapeOptionStandsInForAMissingCardEntry() throws Exception {
        Rng.manualSeed(4);
        Sequential net = new Sequential(new Flatten(), new Linear(12, 5), new ReLU(), new Linear(5, 2));
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
    void importedBertIsRefusedSayingWhyAndInfoListsItsFiles() throws Exception {
        copy("all-minilm-l6-v2.onnx", dir.resolve("model.onnx"));
        copy("all-minilm-l6-v2-tokenizer.json", dir.resolve("all-minilm-l6-v2-tokenizer.json"));
        Path bert = dir.resolve("bert");
        assertEquals(0, CliTest.cli("import", dir.resolve("model.onnx").toString(), "--out", bert.toString()).code());
        Files.writeString(bert.resolve("NOTES.md"), "where this model came from\n");

        CliTest.Run export = CliTest.cli("export", bert.toString(), "--out", dir.resolve("bert.onnx").toString());
        assertEquals(1, export.code());
        assertTrue(export.err().contains("cannot export layer '(model)' of type Bert to ONNX") && export.err().contains("exportable layers"), export.err());
        assertFalse(export.err().contains("input shape"), "no input shape would help: " + export.err());
        assertFalse(Files.exists(dir.resolve("bert.onnx")));

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
