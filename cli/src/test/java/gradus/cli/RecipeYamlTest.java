package gradus.cli;

import gradus.config.ConfigException;
import gradus.federated.FederatedRecipe;
import gradus.recipe.Recipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 13, item 17: a recipe YAML is read and checked with clear errors naming the key, and bounded work. */
class RecipeYamlTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path p = dir.resolve("recipe.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    private static String recipe(String data) {
        return "name: t\ndata:\n" + data + "model: {type: Linear, in: 4, out: 3}\n";
    }

    private static ConfigException refused(Path file) {
        return assertThrows(ConfigException.class, () -> new Recipe(Yaml.read(file)));
    }

    @Test
    void anInvalidPatternIsNamed() throws Exception {
        var e = refused(write(recipe("  train: spam-assassin:train\n  tokenizer: {type: word, pattern: \"(\"}\n")));
        assertTrue(e.getMessage().contains("'pattern'") && e.getMessage().contains("data.tokenizer"), e.getMessage());
    }

    @Test
    void aNulInAPathIsNamed() throws Exception {
        var e = refused(write(recipe("  train: \"examples/data/moons.csv\\0x\"\n")));
        assertTrue(e.getMessage().contains("'train'") && e.getMessage().contains("not a valid path"), e.getMessage());
        e = refused(write(recipe("  train: moby-dick:train\n  tokenizer: {type: file, path: \"a\\0b\"}\n")));
        assertTrue(e.getMessage().contains("'path'"), e.getMessage());
    }

    @Test
    void countsMustBeExactAndInRange() throws Exception {
        var e = refused(write(recipe("  train: moons.csv\n") + "training: {batch_size: 1e12}\n"));
        assertTrue(e.getMessage().contains("'batch_size'"), e.getMessage());
        e = refused(write(recipe("  train: moons.csv\n") + "training: {epochs: 4294967297}\n"));
        assertTrue(e.getMessage().contains("'epochs'"), e.getMessage());
    }

    @Test
    void aTenMegabyteScalarIsRefusedBeforeParsing() throws Exception {
        Path file = write("name: " + "a".repeat(10 << 20) + "\n");
        long before = THREADS.getCurrentThreadAllocatedBytes();
        var e = refused(file);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("at most"), e.getMessage());
        assertTrue(allocated < 16L << 20, "allocated " + allocated + " bytes to refuse it");
    }

    /** Below the cap, the worst documents (one long scalar of each style, long comments) still cost at most 64× their size + 32 MB. */
    @Test
    void documentsJustBelowTheCapParseInBoundedMemory() throws Exception {
        int room = Yaml.MAX_BYTES - 200;
        for (String yaml : new String[]{"name: " + "c".repeat(room), "name: \"" + "c".repeat(room) + "\"", "name: '" + "c".repeat(room) + "'",
                "name: |\n  " + "c".repeat(room), "# " + "c".repeat(room) + "\nname: x", "name: [" + "1, ".repeat(room / 3) + "1]"}) {
            Path file = write(recipe("  train: moons.csv\n") + yaml + "\n");
            assertTrue(Files.size(file) <= Yaml.MAX_BYTES, "below the cap");
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                new Recipe(Yaml.read(file));
            } catch (ConfigException e) {
                assertNotNull(e.getMessage());
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 64L * Files.size(file) + (32 << 20), "allocated " + allocated + " bytes for " + yaml.substring(0, 8) + "…");
        }
    }

    @Test
    void aliasesAreNotExpanded() throws Exception {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 0; i < 9; i++) {
            char p = (char) ('a' + i), n = (char) ('b' + i);
            yaml.append(n).append(": &").append(n).append(" [*").append(p).append(", *").append(p).append(", *").append(p)
                    .append(", *").append(p).append(", *").append(p).append(", *").append(p).append(", *").append(p).append("]\n");
        }
        Path file = write(yaml.toString());
        long before = THREADS.getCurrentThreadAllocatedBytes();
        var config = Yaml.read(file); // Jackson reads an alias as its anchor's name: 7^9 copies are never made
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertEquals(java.util.List.of("i", "i", "i", "i", "i", "i", "i"), config.asMap().get("j"));
        assertTrue(allocated < 16L << 20, "allocated " + allocated + " bytes");
    }

    @Test
    void theExamplesStillRead() throws Exception {
        try (var files = Files.list(Path.of("..", "examples"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                var config = Yaml.read(p);
                // a federated recipe is a training recipe plus its federated: section
                if (config.has("federated")) assertDoesNotThrow(() -> new FederatedRecipe(config), p.toString());
                else assertDoesNotThrow(() -> new Recipe(config), p.toString());
            }
        }
    }
}
