package gradus.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.config.Config;
import gradus.io.ModelDirectory;
import gradus.train.callbacks.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** What a recipe run leaves for the web UI: step records in metrics.jsonl and the CSV's column names on the model card. */
class RecipeRunFilesTest {
    @Test
    @SuppressWarnings("unchecked")
    void aRunLogsStepsAndItsCardNamesTheFeatures(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("rooms,age,price\n");
        for (int i = 0; i < 40; i++) csv.append(i % 7).append(',').append(i % 5).append(',').append(0.5 + 2 * (i % 7) - i % 5).append('\n');
        Path data = Files.writeString(dir.resolve("houses.csv"), csv);
        Config config = new Config("test", Map.of(
                "name", "houses",
                "task", "regression",
                "data", Map.of("train", data.toString(), "scale", "standard"),
                "model", Map.of("type", "Linear", "in", 2, "out", 1),
                "loss", "mse",
                "training", Map.of("epochs", 2, "batch_size", 10)));
        Path out = dir.resolve("run");
        new Recipe(config).run(new Recipe.Options(out, null, null, null, false, new PrintStream(new ByteArrayOutputStream())));

        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) lines.add(new ObjectMapper().readValue(line, Map.class));
        List<Object> steps = lines.stream().filter(MetricsLog::isStepRecord).map(l -> l.get("step")).toList();
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), steps, "2 epochs x 4 batches, fewer than the records asked for: one each");
        assertEquals(2, lines.stream().filter(l -> !MetricsLog.isStepRecord(l)).count(), "and the two epoch lines");
        assertEquals(List.of("rooms", "age"), ModelDirectory.readConfig(out.resolve("model")).get("feature_names"));
    }
}
