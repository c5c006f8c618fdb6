package gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.TensorDataset;
import gradus.data.datasets.TextEncoding;
import gradus.data.datasets.TextData;
import gradus.io.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `gradus predict` on a text classifier: --text, text files and text examples, each the same answer as the model itself gives. */
class PredictTextTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void train() throws Exception {
        Path recipe = Files.writeString(dir.resolve("spam.yaml"), """
                name: spam-sample
                seed: 0
                data:
                  train: spam-assassin-sample:train
                  tokenizer: {type: word, max_vocab: 2000}
                  max_length: 64
                model: {type: LstmClassifier, embed_dim: 16, hidden: 16}
                optimizer: {type: adam, lr: 0.003}
                training: {epochs: 2, batch_size: 32}
                """);
        CliTest.Run run = CliTest.cli("train", recipe.toString(), "--out", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, run.code(), run.err());
        model = dir.resolve("run/model");
    }

    /** Spam probability straight from the model, encoded as the recipe trained it. */
    private static double spamProbability(String text) throws Exception {
        var loaded = ModelDirectory.load(model);
        var doc = new TextData.Documents(List.of(text), new int[]{0}, List.of("ham", "spam"));
        var ids = ((TensorDataset) TextEncoding.forModel(doc, ModelDirectory.tokenizer(model), loaded.card().task(), loaded.card().context(), loaded.card().maxLength())).x();
        return loaded.model().eval().predict(ids).softmax(-1).get(0, 1);
    }

    private static JsonNode predict(String... args) throws Exception {
        String[] all = new String[args.length + 3];
        all[0] = "predict";
        all[1] = model.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        all[all.length - 1] = "--json";
        CliTest.Run run = CliTest.cli(all);
        assertEquals(0, run.code(), run.err());
        return new ObjectMapper().readTree(run.out()).get("predictions");
    }

    @Test
    void textOptionFileAndExampleGiveTheModelsOwnAnswer() throws Exception {
        String text = "Subject: WIN a FREE prize now\nclick here to claim your cash, limited offer";
        Path file = Files.writeString(dir.resolve("mail.txt"), text);
        var documents = (TextData.Documents) TextData.open("spam-assassin-sample:test", null);

        JsonNode out = predict("--text", text, file.toString(), "spam-assassin-sample:test#3"); // INPUTs first, then --text
        assertEquals(3, out.size());
        assertEquals(spamProbability(text), out.get(0).get("probabilities").get("spam").asDouble(), 1e-6);
        assertEquals(spamProbability(documents.texts().get(3)), out.get(1).get("probabilities").get("spam").asDouble(), 1e-6);
        assertEquals(documents.classNames().get(documents.labels()[3]), out.get(1).get("actual").asText());
        assertEquals(text, out.get(2).get("input").asText());
        assertEquals(spamProbability(text), out.get(2).get("probabilities").get("spam").asDouble(), 1e-6);
        for (JsonNode r : out) assertTrue(List.of("ham", "spam").contains(r.get("class").asText()), r.toString());
    }

    @Test
    void wrongInputsAreNamed() {
        CliTest.Run notText = CliTest.cli("predict", model.toString(), "no-such-file.txt");
        assertEquals(1, notText.code());
        assertTrue(notText.err().contains("no-such-file.txt") && notText.err().contains("--text"), notText.err());
        CliTest.Run nothing = CliTest.cli("predict", model.toString());
        assertEquals(1, nothing.code());
        assertTrue(nothing.err().contains("--text"), nothing.err());
    }
}
