package gradus.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gradus train --spark} where the CLI's own class path has no Spark (the CLI does not depend on it): a clear
 * error that says what to add. The Spark run itself is tested in the spark module (SparkRecipeTest).
 */
class TrainSparkOptionTest {
    private static String moons() {
        Path p = Path.of("../examples/moons-mlp.yaml");
        return (Files.exists(p) ? p : Path.of("examples/moons-mlp.yaml")).toString();
    }

    @Test
    void sparkWithoutSparkOnTheClassPathSaysWhatIsMissing() {
        CliTest.Run run = CliTest.cli("train", moons(), "--spark", "local[2]", "--no-progress");
        assertEquals(1, run.code(), run.out());
        assertTrue(run.err().contains("--spark needs Apache Spark and the gradus-spark module on the class path"), run.err());
        assertTrue(run.err().contains("org.apache.spark.SparkContext"), "names the missing class: " + run.err());
        assertTrue(!run.err().contains("Exception"), "no JDK exception name: " + run.err());
    }

    @Test
    void workersWithoutSparkIsRefused() {
        CliTest.Run run = CliTest.cli("train", moons(), "--workers", "2", "--no-progress");
        assertEquals(1, run.code(), run.out());
        assertTrue(run.err().contains("--workers applies to data-parallel training: give --spark MASTER too"), run.err());
    }
}
