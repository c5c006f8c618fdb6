package gradus.recipe;

import gradus.config.Config;
import gradus.io.TensorBoardWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** {@code gradus train} (a Recipe run) leaves one TensorBoard event file in its output directory; a resume adds one. */
class RecipeTensorBoardTest {
    private static List<Path> eventFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("events.out." + TensorBoardWriter.FILE_MARK + ".")).sorted().toList();
        }
    }

    @Test
    void runWritesEventsAndAFreshRunReplacesThem(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("x1,x2,label\n");
        for (int i = 0; i < 40; i++) csv.append(i % 7 - 3).append(',').append(i % 5 - 2).append(',').append(i % 2).append('\n');
        Path data = Files.writeString(dir.resolve("toy.csv"), csv);
        Config config = new Config("test", Map.of(
                "name", "toy",
                "data", Map.of("train", data.toString(), "validation_split", 0.25),
                "model", Map.of("type", "Linear", "in", 2, "out", 2),
                "training", Map.of("epochs", 2, "batch_size", 10)));
        Path out = dir.resolve("run");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        var options = new Recipe.Options(out, null, null, null, false, quiet);
        new Recipe(config).run(options);
        List<Path> first = eventFiles(out);
        assertEquals(1, first.size());
        long size = Files.size(first.get(0));
        assertTrue(size > 200, "version record, 6 batch losses and 2 epoch summaries: " + size + " bytes");

        Files.move(first.get(0), out.resolve("events.out.tfevents.1.earlier"));
        new Recipe(config).run(options);
        assertEquals(1, eventFiles(out).size(), "a fresh run into the same directory replaces the old events");

        new Recipe(config).run(new Recipe.Options(out, null, 3, null, false, quiet, out.resolve("model")));
        assertEquals(2, eventFiles(out).size(), "a resumed run adds its events next to the earlier ones");
    }
}
