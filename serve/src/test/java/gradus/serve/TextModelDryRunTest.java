package gradus.serve;

import gradus.io.ModelDirectory;
import gradus.models.LstmClassifier;
import gradus.serve.text.SavedTextModels;
import gradus.serve.text.TextModels;
import gradus.tensor.Rng;
import gradus.text.WordTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 13, item 7, for text models: one that cannot classify a short text is not offered (it would fail every request). */
class TextModelDryRunTest {
    static void saveClassifier(Path dir, Object maxLength) throws Exception {
        var words = WordTokenizer.train(List.of("buy cheap pills now", "meeting at noon", "hello world"), 50);
        Rng.manualSeed(1);
        var model = new LstmClassifier(words.vocabSize(), 4, 4, 2);
        model.eval();
        ModelDirectory.save(dir, model, Map.of("task", "classification", "class_names", List.of("ham", "spam"), "max_length", maxLength));
        words.save(dir.resolve(ModelDirectory.TOKENIZER_FILE));
    }

    @Test
    void aTextClassifierThatFailsOnAShortTextIsNotRegistered(@TempDir Path models) throws Exception {
        saveClassifier(models.resolve("good"), 16);
        saveClassifier(models.resolve("bad"), "16"); // a string: every classify would end in a ClassCastException
        TextModels text = SavedTextModels.load(models, new TextModels());
        assertNotNull(text.classifier("good"));
        assertEquals(2, text.classifier("good").classify("hello").size());
        assertNull(text.classifier("bad"), "a text model that cannot answer is not offered");
    }
}
