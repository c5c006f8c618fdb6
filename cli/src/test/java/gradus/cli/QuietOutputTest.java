package gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command prints its results, not the engine's notices; --verbose shows them. Each run is a fresh JVM (notices print once per JVM). */
class QuietOutputTest {
    private static final String RECIPE = """
            name: quiet
            data:
              train: fashion-mnist-sample:train
            model:
              type: Sequential
              layers:
                - {type: Flatten}
                - {type: Linear, in: 784, out: 10}
            loss: cross_entropy
            optimizer: {type: sgd, lr: 0.1}
            training: {epochs: 1, batch_size: 500}
            """;

    @TempDir
    Path dir;

    private String stderrOf(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dgradus.home=" + Path.of("..").toAbsolutePath().normalize(),
                "-cp", System.getProperty("java.class.path"), "gradus.cli.Main"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), err);
        return err;
    }

    @Test
    void theGemmNoticeIsShownOnlyWithVerbose() throws Exception {
        Path recipe = Files.writeString(dir.resolve("quiet.yaml"), RECIPE);
        String quiet = stderrOf("train", recipe.toString(), "--out", dir.resolve("a").toString(), "--no-progress");
        assertFalse(quiet.contains("GEMM"), quiet);
        String verbose = stderrOf("train", recipe.toString(), "--out", dir.resolve("b").toString(), "--no-progress", "--verbose");
        assertTrue(verbose.contains("gradus: GEMM"), verbose);
    }
}
