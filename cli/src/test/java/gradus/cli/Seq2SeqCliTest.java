package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * examples/spam-subjects-seq2seq.yaml from the command line, on the subject sample that ships in data/ and for two
 * steps: {@code gradus train} then {@code gradus eval --beams} with ROUGE.
 */
class Seq2SeqCliTest {
    @TempDir
    Path dir;

    private static Path example() {
        Path p = Path.of("../examples/spam-subjects-seq2seq.yaml");
        return Files.exists(p) ? p : Path.of("examples/spam-subjects-seq2seq.yaml");
    }

    @Test
    void theExampleTrainsAndEvaluatesWithRouge() throws Exception {
        String yaml = Files.readString(example());
        assertTrue(yaml.contains("spam-assassin-subjects:train") && yaml.contains("generate: {beams: 4, length_penalty: 1.0}"), "the example changed");
        // the shipped sample instead of the full corpus, and ROUGE at the end of training on 8 pairs only
        yaml = yaml.replace("spam-assassin-subjects:", "spam-assassin-sample-subjects:")
                .replace("generate: {beams: 4, length_penalty: 1.0}", "generate: {beams: 2, length_penalty: 1.0, max_examples: 8}");
        Path recipe = Files.writeString(dir.resolve("subjects.yaml"), yaml);
        Path out = dir.resolve("run");
        CliTest.Run train = CliTest.cli("train", recipe.toString(), "--no-progress", "--out", out.toString(), "--steps", "2");
        assertEquals(0, train.code(), train.err() + train.out());
        assertTrue(train.out().contains("test ROUGE on 8 pairs"), train.out());

        String model = out.resolve("model").toString();
        CliTest.Run greedy = CliTest.cli("eval", model, "--data", "spam-assassin-sample-subjects:test", "--max-examples", "6", "--json");
        assertEquals(0, greedy.code(), greedy.err());
        Map<?, ?> g = new ObjectMapper().readValue(greedy.out().trim(), Map.class);
        assertEquals(6, g.get("pairs"));
        assertEquals(1, g.get("beams"));
        for (String k : new String[]{"rouge1", "rouge2", "rougeL"}) {
            double v = ((Number) g.get(k)).doubleValue();
            assertTrue(v >= 0 && v <= 100, k + " = " + v);
        }
        CliTest.Run beam = CliTest.cli("eval", model, "--data", "spam-assassin-sample-subjects:test", "--max-examples", "6", "--beams", "3");
        assertEquals(0, beam.code(), beam.err());
        assertTrue(beam.out().contains("ROUGE F ×100 on 6 pairs (beam 3): R1 "), beam.out());

        CliTest.Run wrong = CliTest.cli("eval", model, "--data", "spam-assassin-sample:test");
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("spam-assassin-sample:test") && wrong.err().contains("text pairs"), wrong.err());
    }
}
