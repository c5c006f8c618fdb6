package gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradus.io.ModelDirectory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `gradus import` finds what belongs to a model beside it: its tokenizer under a jar's naming, and sentence-transformers' pooling. */
class ImportDiscoveryTest {
    private static void copy(String resource, Path to) throws Exception {
        try (InputStream in = ImportDiscoveryTest.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, to);
        }
    }

    @Test
    void tokenizerUnderTheJarsNameAndPoolingFromModulesJson(@TempDir Path dir) throws Exception {
        copy("all-minilm-l6-v2.onnx", dir.resolve("model.onnx"));
        copy("all-minilm-l6-v2-tokenizer.json", dir.resolve("all-minilm-l6-v2-tokenizer.json"));
        Files.writeString(dir.resolve("modules.json"), """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]""");
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(dir.resolve("1_Pooling/config.json"), "{\"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": false}");

        Path out = dir.resolve("imported");
        CliTest.Run run = CliTest.cli("import", dir.resolve("model.onnx").toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("tokenizer: " + dir.resolve("all-minilm-l6-v2-tokenizer.json")), run.out());
        assertTrue(run.out().contains("pooling: cls (from "), run.out());
        assertTrue(Files.isRegularFile(out.resolve(ModelDirectory.TOKENIZER_FILE)));
        String config = Files.readString(out.resolve(ModelDirectory.CONFIG_FILE));
        assertTrue(config.contains("\"cls\""), config);
        assertTrue(config.matches("(?s).*\"normalize\"\\s*:\\s*false.*"), "no Normalize module: " + config);
        CliTest.Run embed = CliTest.cli("embed", out.toString(), "--text", "hello");
        assertEquals(0, embed.code(), embed.err());
    }

    @Test
    void withoutATokenizerImportRefusesUnlessToldTo(@TempDir Path dir) throws Exception {
        copy("all-minilm-l6-v2.onnx", dir.resolve("model.onnx"));
        CliTest.Run refused = CliTest.cli("import", dir.resolve("model.onnx").toString(), "--out", dir.resolve("a").toString());
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("no tokenizer.json") && refused.err().contains("--tokenizer"), refused.err());
        assertFalse(Files.exists(dir.resolve("a")), "nothing written");

        CliTest.Run weightsOnly = CliTest.cli("import", dir.resolve("model.onnx").toString(), "--no-tokenizer", "--out", dir.resolve("b").toString());
        assertEquals(0, weightsOnly.code(), weightsOnly.err());
        assertTrue(weightsOnly.out().contains("pooling: mean, L2-normalized (the default"), weightsOnly.out());
    }
}
