package gradus.quant;

import gradus.files.FileFormatException;
import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.data.datasets.FashionMnist;
import gradus.io.ModelDirectory;
import gradus.io.Safetensors;
import gradus.metrics.TopK;
import gradus.nn.Embedding;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Loss;
import gradus.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Post-training quantization of a Fashion-MNIST MLP: accuracy cost, files read back by Python's safetensors, exact reloads. */
class QuantizationTest {
    /** The interpreter with the safetensors and numpy packages (pip install safetensors numpy). */
    static final Path PYTHON = Path.of("/root/.pyenv/versions/3.11.7/bin/python3");
    private static Module mlp;
    private static TensorDataset test;
    private static float fp32Accuracy;

    @BeforeAll
    static void train() {
        Rng.manualSeed(7);
        TensorDataset train = FashionMnist.sample("train");
        test = FashionMnist.load(null, "test"); // the full set: on the 500-image sample a point is 5 images
        mlp = new Sequential(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 10));
        Trainer.of(mlp).optimizer(new Adam(mlp.parameters(), 1e-3)).loss(Loss.crossEntropy())
                .fit(DataLoader.of(train).batchSize(32).shuffle(1), null, 8);
        mlp.eval();
        fp32Accuracy = accuracy(mlp);
    }

    private static float accuracy(Module m) {
        return 100f * TopK.correct(m.predict(test.x()), test.labels(), 1) / test.size();
    }

    /**
     * {@code scheme} for every Linear, except that with int4 the first layer (784 inputs, no multiple of 32)
     * stays int8: a mixed-precision model as llama.cpp keeps some tensors wider.
     */
    private static Module quantized(Scheme scheme, int group) {
        if (scheme != Scheme.INT4) return Quantization.quantize(mlp, scheme, group);
        List<Module> layers = new java.util.ArrayList<>(((Sequential) mlp).layers());
        Module first = QuantizedLinear.of((Linear) layers.get(1), Scheme.INT8, 0);
        layers.set(1, new Flatten()); // placeholder, replaced below
        Sequential rest = (Sequential) Quantization.int4(new Sequential(layers.subList(2, layers.size())), group);
        List<Module> out = new java.util.ArrayList<>(List.of(layers.get(0), first));
        out.addAll(rest.layers());
        Module m = new Sequential(out);
        m.eval();
        return m;
    }

    @Test
    void accuracyCostOnFashionMnist() {
        float int8 = accuracy(Quantization.dynamicInt8(mlp)), int4 = accuracy(quantized(Scheme.INT4, 32)),
                int4g128 = accuracy(quantized(Scheme.INT4, 64)), bf16 = accuracy(Quantization.bf16(mlp));
        System.out.printf("Fashion-MNIST sample MLP test accuracy: fp32 %.1f%%, int8 %.1f%%, int4/g32 %.1f%%, int4/g64 %.1f%%, bf16 %.1f%%%n",
                fp32Accuracy, int8, int4, int4g128, bf16);
        assertTrue(fp32Accuracy >= 75, "the fp32 MLP must learn first: " + fp32Accuracy);
        assertTrue(fp32Accuracy - int8 <= 1f, "int8 loses " + (fp32Accuracy - int8) + " points");
        assertTrue(fp32Accuracy - bf16 <= 0.4f, "bf16 loses " + (fp32Accuracy - bf16) + " points");
        assertTrue(fp32Accuracy - int4 <= 2f, "int4 loses " + (fp32Accuracy - int4) + " points");
    }

    @Test
    void theOriginalIsUntouchedAndLayersAreReplaced() {
        Tensor before = mlp.predict(test.x());
        Sequential q = (Sequential) Quantization.dynamicInt8(mlp);
        assertInstanceOf(QuantizedLinear.class, q.layers().get(1));
        assertInstanceOf(ReLU.class, q.layers().get(2));
        assertInstanceOf(Linear.class, ((Sequential) mlp).layers().get(1));
        assertArrayEquals(before.toArray(), mlp.predict(test.x()).toArray());
        assertEquals(Scheme.INT8, ((QuantizedLinear) q.layers().get(1)).scheme());
    }

    @Test
    void savedModelsLoadToIdenticalOutputs(@TempDir Path dir) throws IOException {
        for (Scheme s : Scheme.values()) {
            Module q = quantized(s, 64);
            Path d = dir.resolve(s.id());
            QuantizedModels.save(d, q, s, 64, Map.of());
            Module back = QuantizedModels.load(d).model();
            assertArrayEquals(q.predict(test.x()).toArray(), back.predict(test.x()).toArray(), s.id());
        }
    }

    @Test
    void embeddingsQuantizeAndRoundTrip(@TempDir Path dir) throws IOException {
        Embedding e = new Embedding(50, 64);
        Module q = Quantization.dynamicInt8(new Sequential(e));
        Tensor ids = Tensor.of(new float[]{3, 7, 49}, 3);
        float[] exact = e.predict(ids).toArray(), approx = q.predict(ids).toArray();
        for (int i = 0; i < exact.length; i++) assertEquals(exact[i], approx[i], 4f / 127 / 2 + 1e-6f); // N(0,1) rows: half a step of max/127
        QuantizedModels.save(dir, q, Scheme.INT8, 0, Map.of());
        assertArrayEquals(approx, QuantizedModels.load(dir).model().predict(ids).toArray());
    }

    /** The int8 and int4 files as Python's safetensors reads them: dtypes, shapes, and W ≈ scale·q recomputed in numpy. */
    @Test
    void pythonSafetensorsReadsTheFiles(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(PYTHON), "this test needs " + PYTHON + " with safetensors and numpy (pip install safetensors numpy)");
        for (Scheme s : Scheme.values()) {
            Module q = quantized(s, 32);
            Path d = dir.resolve(s.id());
            QuantizedModels.save(d, q, s, 32, Map.of());
            Path script = dir.resolve("read.py");
            // Prints each tensor's dtype and shape, then the max |W_python − W_gradus| of layer 1.
            Files.writeString(script, """
                    import sys, json, struct, numpy as np
                    from safetensors import safe_open
                    from safetensors.numpy import load_file
                    path = sys.argv[1] + "/model.safetensors"
                    with safe_open(path, framework="np") as f:
                        for k in sorted(f.keys()):
                            print(k, f.get_slice(k).get_dtype(), f.get_slice(k).get_shape())
                    ref = np.fromfile(sys.argv[2], dtype="<f4").reshape(64, 128)
                    if sys.argv[3] == "bf16":  # numpy has no bfloat16: the upper halves of float32, from the header's offsets
                        raw = open(path, "rb").read()
                        n = struct.unpack("<Q", raw[:8])[0]
                        a, b = json.loads(raw[8:8 + n])["3.weight"]["data_offsets"]
                        bits = np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<u2").reshape(64, 128)
                        w = (bits.astype(np.uint32) << 16).view(np.float32)
                    else:
                        t = load_file(path)
                        if sys.argv[3] == "int8":
                            w = t["3.qweight"].astype(np.float32) * t["3.scales"][:, None]
                        elif sys.argv[3] == "int4":
                            b = t["3.qweight"].reshape(64, -1, 16)
                            q = np.concatenate([b & 15, b >> 4], axis=2).reshape(64, 128).astype(np.float32) - 8
                            w = q * np.repeat(t["3.scales"].astype(np.float32), 32, axis=1)
                        else:
                            w = t["3.weight"].astype(np.float32)
                    print("maxdiff", float(np.abs(w - ref).max()))
                    """);
            var w = ((QuantizedLinear) ((Sequential) q).layers().get(3)).weight();
            float[] dq = w instanceof gradus.kernels.Int8Weight i8 ? i8.dequantize()
                    : w instanceof gradus.kernels.Int4Weight i4 ? i4.dequantize() : ((gradus.kernels.HalfWeight) w).dequantize();
            Path ref = dir.resolve("ref.f32");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(dq.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(dq);
            Files.write(ref, b.array());
            Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), d.toString(), ref.toString(), s.id()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), s + ":\n" + out);
            String expect = switch (s) {
                case INT8 -> "3.qweight I8 [64, 128]\n3.scales F32 [64]";
                case INT4 -> "1.qweight I8 [128, 784]\n1.scales F32 [128]\n3.bias F32 [64]\n3.qweight U8 [64, 64]\n3.scales F16 [64, 4]";
                case BF16 -> "3.bias F32 [64]\n3.weight BF16 [64, 128]";
                case F16 -> "3.bias F32 [64]\n3.weight F16 [64, 128]";
            };
            assertTrue(out.contains(expect), s + ":\n" + out);
            assertTrue(out.contains("maxdiff 0.0"), s + ":\n" + out);
        }
    }

    @Test
    void sizesOnDisk(@TempDir Path dir) throws IOException {
        ModelDirectory.save(dir.resolve("fp32"), mlp, Map.of());
        long fp32 = Files.size(dir.resolve("fp32/model.safetensors"));
        for (Scheme s : Scheme.values()) {
            QuantizedModels.save(dir.resolve(s.id()), quantized(s, 32), s, 32, Map.of());
            double ratio = (double) Files.size(dir.resolve(s.id() + "/model.safetensors")) / fp32;
            System.out.printf("MLP %s: %.3f of fp32 on disk%n", s.id(), ratio);
            double limit = switch (s) { case INT8 -> 0.27; case INT4 -> 0.27; default -> 0.51; }; // int4's first layer is int8 here
            assertTrue(ratio <= limit, s + ": " + ratio);
        }
    }

    @Test
    void badInputGetsClearErrors(@TempDir Path dir) throws IOException {
        var e = assertThrows(IllegalArgumentException.class, () -> Quantization.int4(mlp, 48));
        assertTrue(e.getMessage().contains("multiple of 32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Quantization.int4(new Sequential(new Linear(96, 4)), 64));
        assertTrue(e.getMessage().contains("Linear(96→4)") && e.getMessage().contains("does not divide"), e.getMessage());
        Module q = Quantization.dynamicInt8(mlp);
        e = assertThrows(IllegalArgumentException.class, () -> q.predict(Tensor.zeros(2, 3)));
        QuantizedModels.save(dir, q, Scheme.INT8, 0, Map.of());
        // a weight of the wrong shape: named with the file and both shapes
        var tensors = new java.util.LinkedHashMap<>(Safetensors.readRaw(dir.resolve("model.safetensors")).tensors());
        tensors.put("1.scales", Safetensors.Raw.of(new float[127], 127));
        Safetensors.writeRaw(dir.resolve("model.safetensors"), tensors, Map.of());
        var f = assertThrows(FileFormatException.class, () -> QuantizedModels.load(dir));
        assertTrue(f.getMessage().contains("'1.scales'") && f.getMessage().contains("[127]") && f.getMessage().contains("[128]")
                && f.getMessage().contains("model.safetensors"), f.getMessage());
    }
}
