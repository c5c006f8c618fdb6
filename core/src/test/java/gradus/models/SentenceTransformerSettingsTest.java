package gradus.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradus.files.FileFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files sentence-transformers writes (as in BAAI/bge-small-en-v1.5 and all-MiniLM-L6-v2), read for pooling and normalization. */
class SentenceTransformerSettingsTest {
    @TempDir
    Path dir;

    private void write(String modules, String pooling) throws Exception {
        Files.writeString(dir.resolve("modules.json"), modules);
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(dir.resolve("1_Pooling/config.json"), pooling);
    }

    private static String pooling(boolean cls, boolean mean, boolean max) {
        return "{\"word_embedding_dimension\": 384, \"pooling_mode_cls_token\": " + cls + ", \"pooling_mode_mean_tokens\": " + mean
                + ", \"pooling_mode_max_tokens\": " + max + ", \"pooling_mode_mean_sqrt_len_tokens\": false}";
    }

    private static final String BGE_MODULES = """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]""";

    @Test
    void bgeUsesClsAndNormalizes() throws Exception {
        write(BGE_MODULES, pooling(true, false, false));
        var settings = SentenceTransformerSettings.read(dir).orElseThrow();
        assertEquals(SentencePooling.CLS, settings.pooling());
        assertTrue(settings.normalize());
        assertEquals(dir.resolve("1_Pooling/config.json"), settings.source());
    }

    @Test
    void meanWithoutANormalizeModuleIsNotNormalized() throws Exception {
        write(BGE_MODULES.replace(",\n {\"idx\": 2, \"name\": \"2\", \"path\": \"2_Normalize\", \"type\": \"sentence_transformers.models.Normalize\"}", ""),
                pooling(false, true, false));
        var settings = SentenceTransformerSettings.read(dir).orElseThrow();
        assertEquals(SentencePooling.MEAN, settings.pooling());
        assertFalse(settings.normalize());
    }

    @Test
    void noModulesFileMeansNoSettings() throws Exception {
        assertTrue(SentenceTransformerSettings.read(dir).isEmpty());
    }

    @Test
    void unsupportedOrMissingPoolingIsNamed() throws Exception {
        write(BGE_MODULES, pooling(false, false, true));
        var e = assertThrows(FileFormatException.class, () -> SentenceTransformerSettings.read(dir));
        assertTrue(e.getMessage().contains("pooling_mode_max_tokens") && e.getMessage().contains("--pooling"), e.getMessage());
        Files.delete(dir.resolve("1_Pooling/config.json"));
        var missing = assertThrows(FileFormatException.class, () -> SentenceTransformerSettings.read(dir));
        assertTrue(missing.getMessage().contains("1_Pooling"), missing.getMessage());
    }
}
