package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.quant.QuantizedModels;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** `gradus quantize` writes a model that loads back with outputs near the float model's; `gradus info` shows dtype, size and bits per weight. */
class QuantizeCommandTest {
    @TempDir
    Path dir;

    @Test
    void quantizeThenInfo() throws Exception {
        Rng.manualSeed(5);
        Sequential net = new Sequential(new Flatten(), new Linear(64, 32), new ReLU(), new Linear(32, 4));
        Path model = dir.resolve("fp32");
        ModelDirectory.save(model, net, Map.of("input_shape", java.util.List.of(64)));
        Tensor x = Tensor.randn(8, 64);
        for (String mode : new String[]{"int8", "int4", "bf16"}) {
            Path out = dir.resolve(mode);
            CliTest.Run run = CliTest.cli("quantize", model.toString(), "--out", out.toString(), "--mode", mode, "--group-size", "32");
            assertEquals(0, run.code(), run.err());
            assertTrue(run.out().contains("model.safetensors"), run.out());
            var loaded = QuantizedModels.load(out);
            assertEquals(java.util.List.of(64), loaded.config().get("input_shape"), "the model card's fields are kept");
            float[] a = net.predict(x).toArray(), b = loaded.model().predict(x).toArray();
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], mode.equals("int4") ? 0.1f : 0.02f, mode);
            CliTest.Run info = CliTest.cli("info", out.toString());
            assertEquals(0, info.code(), info.err());
            String expected = switch (mode) {
                case "int8" -> "1                                    int8     I8    [32,64]              2176      8.500";
                case "int4" -> "1                                    int4/g32 U8    [32,64]              1152      4.500";
                default -> "1                                    bf16     BF16  [32,64]              4096     16.000";
            };
            assertTrue(info.out().contains(expected), info.out());
        }
        CliTest.Run bad = CliTest.cli("quantize", model.toString(), "--out", dir.resolve("x").toString(), "--mode", "int4", "--group-size", "48");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("multiple of 32"), bad.err());
        CliTest.Run unknown = CliTest.cli("quantize", model.toString(), "--out", dir.resolve("y").toString(), "--mode", "int3");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("unknown quantization scheme 'int3'") && unknown.err().contains("int8"), unknown.err());
    }

    @Test
    void infoShowsThePrunedSparsity() throws Exception {
        Rng.manualSeed(6);
        Sequential net = new Sequential(new Flatten(), new Linear(64, 32), new ReLU(), new Linear(32, 4));
        gradus.prune.MagnitudePruning.global(net, 0.75);
        Path model = dir.resolve("pruned");
        ModelDirectory.save(model, net, Map.of("input_shape", java.util.List.of(64)));
        CliTest.Run info = CliTest.cli("info", model.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("Sparsity"), info.out());
        assertTrue(info.out().matches("(?s).*all\\s+1,632 of\\s+2,176 zero\\s+75\\.0%.*"), info.out()); // 75% of 64·32 + 32·4 weights
    }
}
