package gradus.io;

import gradus.files.FileFormatException;
import gradus.data.StandardScaler;
import gradus.data.datasets.Datasets;
import gradus.fuzz.Fuzzer;
import gradus.nn.*;
import gradus.nn.Module;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Issue 13: config.json fuzzed through the whole {@link ModelDirectory#load} (config, size check against the weight
 * file's header, build, weights) of a small valid model directory whose config.json is replaced by each input. The
 * seeds are real saved configs: a Sequential holding every sized layer type, with input_shape and a scaler, and a GPT
 * and an LSTM classifier (their configs meet the Sequential's weights: they must fail cleanly too). Any input may cost
 * at most 64 × its length + 32 MB of allocation (the weights read are about 60 KB); only {@link FileFormatException}
 * may escape.
 */
class ModelConfigFuzzTest {
    @TempDir
    Path root;

    @Test
    void configJsonNeverEscapesOrOverAllocates() throws Exception {
        Module model = new Sequential(new Linear(4, 8), new ReLU(), new BatchNorm1d(8), new LayerNorm(8), new Dropout(0.1f),
                new Conv2d(1, 2, 3, 1, 1), new BatchNorm2d(2), new MaxPool2d(new int[]{2}, null, new int[]{0}), new Flatten(1, -1),
                new Embedding(10, 4), new LSTM(4, 4, 1, true, true, 0f, true), new GRU(4, 4, 2, false, true, 0f, true),
                new MultiHeadAttention(8, 2), new SinusoidalPositionalEncoding(16, 8), new LearnedPositionalEmbedding(16, 8),
                new TransformerEncoderBlock(8, 2), new Softmax(-1));
        StandardScaler scaler = new StandardScaler();
        scaler.fit(Tensor.of(new float[]{0, 1, 2, 3, 4, 5, 6, 9}, 2, 4));
        Path dir = root.resolve("model");
        ModelDirectory.save(dir, model, Map.of("task", "classification", "input_shape", List.of(4), "class_names", List.of("a", "b"),
                "preprocessing", Map.of("scaler", gradus.io.ModelCard.scalerJson(scaler))));
        byte[] sequential = Files.readAllBytes(dir.resolve(ModelDirectory.CONFIG_FILE));
        Path config = dir.resolve(ModelDirectory.CONFIG_FILE);

        Fuzzer.of("config-json", bytes -> {
                    Files.write(config, bytes);
                    ModelDirectory.load(dir);
                })
                .seed(sequential)
                .seed(savedConfig("gpt", Map.of("type", "Gpt", "vocab_size", 20, "context_length", 8, "layers", 1, "heads", 2, "width", 8)))
                .seed(savedConfig("lstm", Map.of("type", "LstmClassifier", "vocab_size", 20, "embed_dim", 4, "hidden", 4, "classes", 3)))
                .expect(FileFormatException.class)
                .dictionary("\"type\"", "\"Linear\"", "\"Conv2d\"", "\"LSTM\"", "\"GRU\"", "\"Embedding\"", "\"LayerNorm\"",
                        "\"BatchNorm1d\"", "\"SinusoidalPositionalEncoding\"", "\"Sequential\"", "\"layers\"", "\"in\"", "\"out\"",
                        "\"kernel\"", "\"num_layers\"", "\"hidden_size\"", "\"max_len\"", "\"input_shape\"", "\"preprocessing\"",
                        "\"scaler\"", "\"mean\"", "\"std\"", "\"num_embeddings\"", "\"features\"", "\"shape\"")
                .iterations(6000)
                .allocationLimit(64, 32L << 20)
                .run();
    }

    private byte[] savedConfig(String name, Map<String, Object> architecture) throws Exception {
        Path dir = root.resolve(name);
        ModelDirectory.save(dir, Layers.fromConfig(architecture), Map.of());
        return Files.readAllBytes(dir.resolve(ModelDirectory.CONFIG_FILE));
    }
}
