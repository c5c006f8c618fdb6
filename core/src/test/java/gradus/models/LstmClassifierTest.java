package gradus.models;

import gradus.GradCheck;
import gradus.data.Batch;
import gradus.io.Safetensors;
import gradus.nn.Losses;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class LstmClassifierTest {
    /** PyTorch's packed-sequence classifier on rows of 1 to 200 real tokens (tools/golden/lstm_classifier_golden.py). */
    @Test
    void matchesPyTorchOnLongPaddedRows() throws Exception {
        Map<String, Tensor> golden = Safetensors.read(Path.of("src/test/resources/golden/lstm_classifier.safetensors")).tensors();
        LstmClassifier model = new LstmClassifier(50, 8, 16, 2);
        Map<String, Tensor> weights = new HashMap<>();
        model.stateDict().keySet().forEach(k -> weights.put(k, golden.get(k)));
        model.loadStateDict(weights);
        float[] y = golden.get("input.labels").toArray();
        int[] labels = new int[y.length];
        for (int i = 0; i < y.length; i++) labels[i] = (int) y[i];
        Tensor loss = Losses.crossEntropy(model.forward(golden.get("input.ids")), IntTensor.of(labels, labels.length));
        assertEquals(golden.get("loss").item(), loss.item(), 1e-5);
        loss.backward();
        model.namedParameters().forEach((name, p) -> {
            float[] expected = golden.get("grad." + name).toArray(), actual = p.grad().toArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5f + 1e-3f * Math.abs(expected[i]), "grad of " + name + " at " + i);
            }
        });
    }

    @Test
    void lengthsCountNonPaddingIds() {
        Tensor ids = Tensor.of(new float[]{5, 3, 0, 0, 0, 0, 0, 0, 7, 1, 2, 9}, 3, 4);
        assertArrayEquals(new int[]{2, 1, 4}, LstmClassifier.lengths(ids), "an all-padding row reads one step");
    }

    @Test
    void everyPoolingTrainsAndRoundTripsItsConfig() {
        for (var pooling : LstmClassifier.Pooling.values()) {
            var model = new LstmClassifier(20, 4, 5, 1, true, 0f, pooling, 3);
            Tensor ids = Tensor.of(new float[]{1, 2, 3, 0, 4, 0, 0, 0}, 2, 4);
            Tensor out = model.forward(ids);
            assertArrayEquals(new int[]{2, 3}, out.shape());
            var rebuilt = gradus.nn.Layers.fromConfig(new gradus.config.Config("test", model.config()));
            assertEquals(model.config(), rebuilt.config());
        }
        var e = assertThrows(gradus.config.ConfigException.class, () -> gradus.nn.Layers.fromConfig(
                Map.of("type", "LstmClassifier", "vocab_size", 5, "pooling", "median")));
        assertTrue(e.getMessage().contains("pooling") && e.getMessage().contains("median"), e.getMessage());
    }
}
