package gradus.cli;

import gradus.config.ConfigException;
import gradus.fuzz.Fuzzer;
import gradus.recipe.Recipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Issue 13: recipe YAML fuzzed through {@link Yaml#read} and the {@link Recipe} constructor's checks (parse and
 * validate, no data read, no training). Seeds: every recipe under examples/. Any input may cost at most
 * 64 × its length + 32 MB of allocation; only {@link ConfigException} may escape.
 */
class RecipeYamlFuzzTest {
    @TempDir
    Path dir;

    @Test
    void recipeYamlNeverEscapesOrOverAllocates() throws Exception {
        Path file = dir.resolve("recipe.yaml");
        Fuzzer fuzzer = Fuzzer.of("recipe-yaml", bytes -> {
                    Files.write(file, bytes);
                    new Recipe(Yaml.read(file));
                })
                .expect(ConfigException.class)
                .dictionary("data:", "train:", "model:", "training:", "tokenizer:", "pattern:", "path:", "batch_size:", "epochs:",
                        "type:", "layers:", "- ", "  ", ": ", "&a ", "*a", "<<: ", "!!str ", "!!int ", "? ", "|", ">", "%YAML 1.1", "...")
                .iterations(12000)
                .allocationLimit(64, 32L << 20);
        List<Path> recipes;
        try (var files = Files.list(Path.of("..", "examples"))) {
            recipes = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path recipe : recipes) fuzzer.seed(Files.readAllBytes(recipe));
        fuzzer.run();
    }
}
