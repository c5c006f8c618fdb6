package gradus.nn;

import gradus.GradCheck;
import gradus.autograd.GradMode;
import gradus.config.ConfigException;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The contract every layer keeps (like Keras' layer_test): output shape, parameter count, a
 * config round trip through {@link Layers#fromConfig} that reproduces the output with the same
 * state dict, and gradients that match finite differences for the input and every parameter.
 */
class LayerContractTest {
    /** One layer under test: how to build it and its input, and what comes out. */
    private record Spec(String name, Supplier<Module> layer, Supplier<Tensor> input, int[] outShape,
                        long parameters, boolean inputIsDifferentiable, double eps) {
        Spec(String name, Supplier<Module> layer, Supplier<Tensor> input, int[] outShape, long parameters, boolean inputIsDifferentiable) {
            this(name, layer, input, outShape, parameters, inputIsDifferentiable, 5e-3);
        }
    }

    private static Tensor normal(long seed, int... shape) {
        return Tensor.normal(new Rng(seed), 0f, 1f, shape);
    }

    /** Distinct values at least 0.05 apart: max-pooling and kinks stay clear of the finite-difference step. */
    private static Tensor distinct(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        int[] perm = new Rng(seed).permutation(t.numel());
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (perm[i] - d.length / 2f) * 0.05f + 0.025f;
        return t;
    }

    private static Spec spec(String name, Supplier<Module> layer, Supplier<Tensor> input, int[] out, long params) {
        return new Spec(name, layer, input, out, params, true);
    }

    private static List<Spec> specs() {
        List<Spec> s = new ArrayList<>();
        s.add(spec("Conv2d 3x3 pad 1", () -> new Conv2d(2, 3, 3, 1, 1), () -> normal(1, 2, 2, 5, 5), new int[]{2, 3, 5, 5}, 3 * 2 * 9 + 3));
        s.add(spec("Conv2d rectangular, no bias", () -> new Conv2d(2, 3, new int[]{2, 3}, new int[]{2, 1}, new int[]{1, 0}, new int[]{1, 2}, false),
                () -> normal(2, 2, 2, 6, 7), new int[]{2, 3, 4, 3}, 3 * 2 * 6));
        s.add(spec("Conv2d 1x1", () -> new Conv2d(3, 2, 1), () -> normal(3, 2, 3, 4, 4), new int[]{2, 2, 4, 4}, 8));
        // Steps of 5e-4: a larger one moves some of the 150 outputs across ReLU's kink at 0.
        s.add(new Spec("Conv2d with fused ReLU", () -> new Conv2d(2, 3, 3, 1, 1).activation("relu"), () -> normal(6, 2, 2, 5, 5),
                new int[]{2, 3, 5, 5}, 57, true, 5e-4));
        s.add(spec("Conv2d single image", () -> new Conv2d(2, 2, 3, 2, 1), () -> normal(4, 2, 5, 5), new int[]{2, 3, 3}, 38));
        s.add(spec("Conv2d grouped", () -> new Conv2d(4, 6, new int[]{3}, new int[]{1}, new int[]{1}, new int[]{1}, true, 2),
                () -> normal(40, 2, 4, 4, 4), new int[]{2, 6, 4, 4}, 6 * 2 * 9 + 6));
        s.add(spec("Conv2d depthwise", () -> new Conv2d(3, 3, new int[]{3}, new int[]{2}, new int[]{1}, new int[]{1}, false, 3),
                () -> normal(41, 2, 3, 5, 5), new int[]{2, 3, 3, 3}, 27));
        s.add(spec("ConvTranspose2d stride 2", () -> new ConvTranspose2d(3, 2, new int[]{3}, new int[]{2}, new int[]{1}, new int[]{1}, new int[]{1}, true),
                () -> normal(42, 2, 3, 3, 3), new int[]{2, 2, 6, 6}, 3 * 2 * 9 + 2));
        s.add(spec("ConvTranspose2d rectangular, no bias", () -> new ConvTranspose2d(2, 3, new int[]{2, 3}, new int[]{1, 2}, new int[]{0, 1},
                new int[]{0}, new int[]{2, 1}, false), () -> normal(43, 1, 2, 3, 4), new int[]{1, 3, 5, 7}, 36));
        s.add(spec("Upsample nearest", () -> new Upsample(2, Upsample.Mode.NEAREST), () -> normal(44, 2, 2, 3, 3), new int[]{2, 2, 6, 6}, 0));
        s.add(spec("Upsample bilinear [2,3] align corners", () -> new Upsample(new int[]{2, 3}, Upsample.Mode.BILINEAR, true),
                () -> normal(45, 1, 2, 3, 3), new int[]{1, 2, 6, 9}, 0));
        s.add(spec("GroupNorm", () -> new GroupNorm(2, 4), () -> normal(46, 2, 4, 3, 3), new int[]{2, 4, 3, 3}, 8));
        // conv 3·4·9 + bn 8 + conv 4·4·9 + bn 8 + shortcut conv 3·4 + bn 8
        s.add(spec("ResidualBlock basic, projection", () -> new ResidualBlock(3, 4, 2, false), () -> normal(48, 2, 3, 4, 4),
                new int[]{2, 4, 2, 2}, 108 + 8 + 144 + 8 + 12 + 8));
        // 1×1 8→2 (16) + bn 4 + 3×3 2→2 (36) + bn 4 + 1×1 2→8 (16) + bn 16, identity shortcut
        // The bottleneck block's input gradient is checked in float64 by OpContractTest ("residual bottleneck block"):
        // in float32, its three BatchNorm–ReLU pairs on few values put ReLU kinks within the finite-difference step.
        s.add(spec("GlobalAvgPool2d", GlobalAvgPool2d::new, () -> normal(47, 2, 3, 4, 5), new int[]{2, 3}, 0));
        s.add(spec("MaxPool2d 2", () -> new MaxPool2d(2), () -> distinct(5, 2, 3, 4, 4), new int[]{2, 3, 2, 2}, 0));
        s.add(spec("MaxPool2d 3/2/1", () -> new MaxPool2d(3, 2, 1), () -> distinct(6, 1, 2, 5, 5), new int[]{1, 2, 3, 3}, 0));
        s.add(spec("AvgPool2d 2", () -> new AvgPool2d(2), () -> normal(7, 2, 3, 4, 4), new int[]{2, 3, 2, 2}, 0));
        s.add(spec("AvgPool2d [2,3]/[1,2]/[1,1]", () -> new AvgPool2d(new int[]{2, 3}, new int[]{1, 2}, new int[]{1, 1}),
                () -> normal(8, 1, 2, 4, 5), new int[]{1, 2, 5, 3}, 0));
        s.add(spec("Flatten", Flatten::new, () -> normal(9, 2, 3, 2, 2), new int[]{2, 12}, 0));
        s.add(spec("Flatten 0..1", () -> new Flatten(0, 1), () -> normal(10, 2, 3, 2, 2), new int[]{6, 2, 2}, 0));
        s.add(spec("BatchNorm1d [N,C]", () -> new BatchNorm1d(3), () -> normal(11, 4, 3), new int[]{4, 3}, 6));
        s.add(spec("BatchNorm1d [N,C,L]", () -> new BatchNorm1d(3), () -> normal(12, 4, 3, 5), new int[]{4, 3, 5}, 6));
        s.add(spec("BatchNorm2d", () -> new BatchNorm2d(3), () -> normal(13, 4, 3, 2, 2), new int[]{4, 3, 2, 2}, 6));
        s.add(spec("LayerNorm [4]", () -> new LayerNorm(4), () -> normal(14, 2, 3, 4), new int[]{2, 3, 4}, 8));
        s.add(spec("LayerNorm [3,4]", () -> new LayerNorm(new int[]{3, 4}, 1e-3f), () -> normal(15, 2, 3, 4), new int[]{2, 3, 4}, 24));
        // Ids avoid the padding row 0: by design it gets no gradient, which finite differences would contradict.
        s.add(new Spec("Embedding", () -> new Embedding(10, 4, 0), () -> Tensor.of(new float[]{1, 5, 3, 9, 3, 2}, 2, 3),
                new int[]{2, 3, 4}, 40, false));
        s.add(spec("Linear", () -> new Linear(3, 2), () -> normal(16, 4, 3), new int[]{4, 2}, 8));
        s.add(spec("ReLU", ReLU::new, () -> distinct(17, 2, 5), new int[]{2, 5}, 0));
        s.add(spec("LeakyReLU", () -> new LeakyReLU(0.2f), () -> distinct(18, 2, 5), new int[]{2, 5}, 0));
        s.add(spec("GELU", GELU::new, () -> normal(19, 2, 5), new int[]{2, 5}, 0));
        s.add(spec("SiLU", SiLU::new, () -> normal(20, 2, 5), new int[]{2, 5}, 0));
        s.add(spec("Sigmoid", Sigmoid::new, () -> normal(21, 2, 5), new int[]{2, 5}, 0));
        s.add(spec("Tanh", Tanh::new, () -> normal(22, 2, 5), new int[]{2, 5}, 0));
        s.add(spec("Softmax", () -> new Softmax(0), () -> normal(23, 2, 5), new int[]{2, 5}, 0));
        s.add(spec("LSTM", () -> new LSTM(3, 4), () -> normal(25, 2, 3, 3), new int[]{2, 3, 4}, 16 * 3 + 16 * 4 + 32));
        s.add(spec("GRU bidirectional time-major", () -> new GRU(2, 3, 1, true, false, 0f, true), () -> normal(26, 3, 2, 2),
                new int[]{3, 2, 6}, 2 * (9 * 2 + 9 * 3 + 18)));
        s.add(spec("Sequential", () -> new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Flatten(), new Linear(8, 3)),
                () -> normal(24, 2, 1, 4, 4), new int[]{2, 3}, 2 * 9 + 2 + 8 * 3 + 3));
        s.add(spec("MultiHeadAttention", () -> new MultiHeadAttention(4, 2), () -> normal(25, 2, 3, 4), new int[]{2, 3, 4}, 4 * 20));
        s.add(spec("MultiHeadAttention rotary, no bias", () -> new MultiHeadAttention(4, 2, 0f, false, true),
                () -> normal(26, 2, 3, 4), new int[]{2, 3, 4}, 4 * 16));
        s.add(spec("MultiHeadAttention window 1 global 1", () -> new MultiHeadAttention(4, 2, 0f, true, false, new AttentionWindow(1, 1)),
                () -> normal(33, 2, 6, 4), new int[]{2, 6, 4}, 4 * 20));
        s.add(spec("SinusoidalPositionalEncoding", () -> new SinusoidalPositionalEncoding(5, 4), () -> normal(27, 2, 3, 4), new int[]{2, 3, 4}, 0));
        s.add(spec("LearnedPositionalEmbedding", () -> new LearnedPositionalEmbedding(5, 4), () -> normal(28, 2, 3, 4), new int[]{2, 3, 4}, 20));
        s.add(spec("RotaryEmbedding", () -> new RotaryEmbedding(4), () -> normal(29, 2, 2, 3, 4), new int[]{2, 2, 3, 4}, 0));
        // Attention 80 + two LayerNorms 16 + linear1 4→8 (40) + linear2 8→4 (36).
        s.add(spec("TransformerEncoderBlock pre-LN", () -> new TransformerEncoderBlock(4, 2, 8, 0f, true, 1e-5f, false),
                () -> normal(30, 2, 3, 4), new int[]{2, 3, 4}, 172));
        s.add(spec("TransformerEncoderBlock post-LN", () -> new TransformerEncoderBlock(4, 2, 8, 0f, false, 1e-5f, false),
                () -> normal(31, 2, 3, 4), new int[]{2, 3, 4}, 172));
        s.add(spec("TransformerEncoderBlock window 2", () -> new TransformerEncoderBlock(4, 2, 8, 0f, true, 1e-5f, false, new AttentionWindow(2, 0)),
                () -> normal(34, 2, 6, 4), new int[]{2, 6, 4}, 172));
        s.add(spec("TransformerDecoderBlock", () -> new TransformerDecoderBlock(4, 2, 8, 0f, true, 1e-5f, false, true),
                () -> normal(32, 2, 3, 4), new int[]{2, 3, 4}, 172));
        // tok_emb 7·4 + pos_emb 4·4 + block (attention 80, norms 16, linear1 4→16: 80, linear2 16→4: 68) + ln_f 8.
        // A smaller step: with GPT-2's 0.02 initialization the final LayerNorm curves too much for steps of 5e-3.
        s.add(new Spec("Gpt", () -> new gradus.models.Gpt(gradus.models.GptConfig.of(7, 4, 1, 2, 4)),
                () -> Tensor.of(new float[]{1, 5, 3, 6, 0, 2}, 2, 3), new int[]{2, 3, 7}, 296, false, 1e-3));
        // Embeddings 7·4 + 4·4 + 2·4 + norm 8, one post-LN block 172; the classifier adds a 4→3 head. Id 0 is padding for the classifier.
        var bert = new gradus.models.BertConfig(7, 4, 1, 2, 8, 4, 2, 1e-12f, 0f);
        s.add(new Spec("Bert", () -> new gradus.models.Bert(bert), () -> Tensor.of(new float[]{1, 5, 3, 6, 0, 2}, 2, 3),
                new int[]{2, 3, 4}, 232, false, 1e-3));
        s.add(new Spec("BertClassifier", () -> new gradus.models.BertClassifier(bert, 3, gradus.models.SentencePooling.MEAN, 0f),
                () -> Tensor.of(new float[]{1, 5, 3, 6, 2, 0}, 2, 3), new int[]{2, 3}, 247, false, 1e-3));
        // embedding 6·3 + LSTM (4·2 gates × (3 + 2) weights + 2·8 biases) + head 2·2 + 2; id 0 pads
        s.add(new Spec("LstmClassifier", () -> new gradus.models.LstmClassifier(6, 3, 2, 2),
                () -> Tensor.of(new float[]{1, 2, 3, 0, 4, 5, 0, 0}, 2, 4), new int[]{2, 2}, 80, false, 5e-3));
        // embedding 6·4 + positions 4·4 + block (attention 80, norms 16, 4→16: 80, 16→4: 68) + norm 8 + head 10
        s.add(new Spec("TransformerClassifier", () -> new gradus.models.TransformerClassifier(6, 4, 4, 2, 1, 0f, 2),
                () -> Tensor.of(new float[]{1, 2, 3, 0, 4, 5, 0, 0}, 2, 4), new int[]{2, 2}, 302, false, 1e-3));
        s.add(new Spec("TransformerClassifier window 1 global 1", () -> new gradus.models.TransformerClassifier(6, 6, 4, 2, 1, 0f, 2,
                new AttentionWindow(1, 1)), () -> Tensor.of(new float[]{1, 2, 3, 4, 5, 0, 4, 5, 1, 0, 0, 0}, 2, 6), new int[]{2, 2}, 310, false, 1e-3));
        // (user, item) id pairs: user 3·2 + item 4·2 factors, biases 3 + 4 + 1
        s.add(new Spec("MatrixFactorization", () -> new gradus.models.MatrixFactorization(3, 4, 2, true, 0.1f, 3f),
                () -> Tensor.of(new float[]{0, 1, 2, 3}, 2, 2), new int[]{2, 1}, 22, false, 1e-3));
        s.add(new Spec("NeuMF", () -> new gradus.models.NeuMF(3, 4, 2, List.of(4, 2)),
                () -> Tensor.of(new float[]{0, 1, 2, 3}, 2, 2), new int[]{2, 1}, 43, false, 1e-3));
        // source length 3 (the first row padded with 0) then 2 decoder-input ids per row
        s.add(new Spec("Seq2SeqTransformer", () -> new gradus.models.Seq2SeqTransformer(new gradus.models.Seq2SeqConfig(7, 3, 2, 4, 2, 1, 1, 0, 0f, 0, 0, 6)),
                () -> Tensor.of(new float[]{1, 5, 0, 6, 2, 2, 4, 3, 1, 3}, 2, 5), new int[]{2, 2, 7}, 640, false, 1e-3));
        return s;
    }

    @TestFactory
    Stream<DynamicTest> everyLayerKeepsTheContract() {
        return specs().stream().map(spec -> DynamicTest.dynamicTest(spec.name(), () -> {
            Rng.manualSeed(42);
            Module layer = spec.layer().get();
            Tensor x = spec.input().get();
            Tensor y = layer.forward(x);
            assertArrayEquals(spec.outShape(), y.shape(), "output shape");
            assertEquals(spec.parameters(), layer.parameterCount(), "parameter count");

            Module copy = Layers.fromConfig(layer.config());
            assertEquals(layer.getClass(), copy.getClass());
            assertEquals(layer.config(), copy.config(), "config round trip");
            assertEquals(layer.stateDict().keySet(), copy.stateDict().keySet());
            copy.loadStateDict(layer.stateDict());
            assertArrayEquals(layer.predict(x).toArray(), copy.predict(x).toArray(), 1e-6f, "rebuilt layer output");

            List<Tensor> vars = new ArrayList<>();
            if (spec.inputIsDifferentiable()) vars.add(x);
            vars.addAll(layer.parameters());
            GradCheck.check(t -> layer.forward(spec.inputIsDifferentiable() ? t[0] : x), spec.eps(), 2e-3, 2e-2, vars.toArray(new Tensor[0]));
        }));
    }

    @Test
    void everyRegisteredTypeHasAContractSpec() {
        TreeSet<String> covered = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Spec s : specs()) covered.add((String) s.layer().get().config().get("type"));
        TreeSet<String> missing = new TreeSet<>(Layers.types());
        missing.removeIf(t -> covered.contains(t) || t.equals("Dropout")); // Dropout: see dropoutTrainAndEval
        assertTrue(missing.isEmpty(), "layer types without a contract spec: " + missing);
    }

    /** Each layer's typed config record, written back as a mapping, rebuilds the same layer (the registry's round trip). */
    @Test
    void everyLayerRoundTripsThroughItsTypedRecord() {
        for (Spec spec : specs()) {
            Module layer = spec.layer().get();
            LayerType<?> type = Layers.typeOf(layer);
            assertNotNull(type, spec.name() + " has no registered type");
            assertEquals(layer.config().get("type"), type.name(), spec.name());
            Map<String, Object> written = writeRecordOf(type, layer);
            assertEquals(layer.config(), Layers.fromConfig(written).config(), spec.name());
        }
    }

    private static <C extends Record> Map<String, Object> writeRecordOf(LayerType<C> type, Module layer) {
        C record = type.configOf(layer);
        assertEquals(type.configClass(), record.getClass());
        return type.write(record);
    }

    @Test
    void aBadValueNamesTheKeyAndWhereItSits() {
        var e = assertThrows(ConfigException.class, () -> Layers.fromConfig(Map.of("type", "Sequential",
                "layers", List.of(Map.of("type", "ReLU"), Map.of("type", "Linear", "in", "four", "out", 2)))));
        assertEquals("key 'in' in model.layers[1] must be an integer, got 'four'", e.getMessage());
        var missing = assertThrows(ConfigException.class, () -> Layers.fromConfig(Map.of("type", "Embedding", "dim", 4)));
        assertEquals("missing key 'num_embeddings' in model", missing.getMessage());
        var type = assertThrows(ConfigException.class, () -> Layers.fromConfig(Map.of("type", "Linaer")));
        assertTrue(type.getMessage().startsWith("unknown layer type 'Linaer' in model; known: ") && type.getMessage().contains("GroupNorm, GRU"),
                type.getMessage());
        var taken = assertThrows(IllegalStateException.class, () -> Layers.register(Layers.typeOf(new ReLU())));
        assertTrue(taken.getMessage().contains("'ReLU'"), taken.getMessage());
    }

    @Test
    void unknownConfigKeyNamesItAndTheAllowedKeys() {
        for (Spec spec : specs()) {
            Map<String, Object> config = new LinkedHashMap<>(spec.layer().get().config());
            if (config.containsKey("layers")) continue;
            config.put("bogus", 1);
            var e = assertThrows(ConfigException.class, () -> Layers.fromConfig(config), spec.name());
            assertTrue(e.getMessage().contains("bogus"), e.getMessage());
            for (String key : config.keySet()) {
                if (!key.equals("bogus")) assertTrue(e.getMessage().contains(key), spec.name() + ": " + e.getMessage());
            }
        }
        var e = assertThrows(ConfigException.class, () -> Layers.fromConfig(Map.of("type", "Conv2d", "in", 1, "out", 2, "kernel", 3, "strides", 2)));
        assertTrue(e.getMessage().contains("strides") && e.getMessage().contains("allowed: activation, bias, dilation, groups, in, kernel, out, padding, stride, type"),
                e.getMessage());
        var activation = assertThrows(ConfigException.class, () -> Layers.fromConfig(Map.of("type", "Conv2d", "in", 1, "out", 2, "kernel", 3, "activation", "tanh")));
        assertTrue(activation.getMessage().contains("'activation'") && activation.getMessage().contains("tanh"), activation.getMessage());
        var missing = assertThrows(ConfigException.class, () -> Layers.fromConfig(Map.of("type", "MaxPool2d")));
        assertTrue(missing.getMessage().contains("kernel"), missing.getMessage());
    }

    @Test
    void dropoutTrainAndEval() {
        Rng.manualSeed(7);
        Dropout d = new Dropout(0.25f);
        Tensor x = Tensor.ones(100, 100).requiresGrad(true);
        Tensor y = d.forward(x);
        float[] v = y.toArray();
        int zeros = 0;
        for (float f : v) {
            if (f == 0f) zeros++;
            else assertEquals(1f / 0.75f, f, 1e-6f, "survivors are scaled by 1/(1-p)");
        }
        assertEquals(0.25, zeros / 10000.0, 0.02, "fraction dropped");
        y.sum().backward();
        assertArrayEquals(v, x.grad().toArray(), "gradient is the same mask");

        Tensor again = d.forward(x);
        assertFalse(java.util.Arrays.equals(v, again.toArray()), "a fresh mask per call");

        d.eval();
        assertSame(x, d.forward(x), "identity in eval mode");
        d.train();
        assertArrayEquals(new float[10000], new Dropout(1f).forward(x).toArray(), "p=1 drops everything");
        assertSame(x, new Dropout(0f).forward(x));

        Rng.manualSeed(7);
        assertArrayEquals(v, new Dropout(0.25f).forward(x).toArray(), "the mask comes from the global generator");

        Module copy = Layers.fromConfig(d.config());
        assertEquals(d.config(), copy.config());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5f));
    }

    @Test
    void batchNormEvalGradientsAndModes() {
        BatchNorm2d bn = new BatchNorm2d(3);
        Tensor x = normal(30, 4, 3, 2, 2);
        for (int i = 0; i < 3; i++) bn.forward(normal(31 + i, 4, 3, 2, 2).mul(2f).add(1f));
        assertEquals(3f, bn.stateDict().get("num_batches_tracked").item());
        bn.eval();
        float[] before = bn.runningMean().toArray();
        GradCheck.checkFloat32(t -> bn.forward(t[0]), x, bn.weight(), bn.bias());
        assertArrayEquals(before, bn.runningMean().toArray(), "eval() leaves running statistics alone");
        var e = assertThrows(IllegalArgumentException.class, () -> bn.forward(normal(1, 4, 5, 2, 2)));
        assertTrue(e.getMessage().contains("[4, 5, 2, 2]") && e.getMessage().contains("C=3"), e.getMessage());
        bn.train();
        var one = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).forward(normal(1, 1, 3)));
        assertTrue(one.getMessage().contains("more than one value"), one.getMessage());
    }

    @Test
    void embeddingPaddingRowStaysZeroAndGetsNoGradient() {
        Embedding e = new Embedding(5, 3, -1);
        assertArrayEquals(new float[3], e.weight().select(0, 4).toArray());
        Tensor y = e.forward(gradus.tensor.IntTensor.of(new int[]{4, 1, 4, 1}, 2, 2));
        assertArrayEquals(new int[]{2, 2, 3}, y.shape());
        y.sum().backward();
        Tensor g = e.weight().grad();
        assertArrayEquals(new float[3], g.select(0, 4).toArray(), "padding row gets no gradient");
        assertArrayEquals(new float[]{2, 2, 2}, g.select(0, 1).toArray(), "repeated ids accumulate");
        assertEquals(4, e.config().get("padding_idx"));
        var bad = assertThrows(IndexOutOfBoundsException.class, () -> e.forward(Tensor.of(new float[]{5})));
        assertTrue(bad.getMessage().contains("5"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> e.forward(Tensor.of(new float[]{1.5f})));
    }

    @Test
    void badInputsNameTheShapes() {
        Conv2d conv = new Conv2d(3, 4, 3);
        var c = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(2, 5, 8, 8)));
        assertTrue(c.getMessage().contains("[2, 5, 8, 8]") && c.getMessage().contains("[4, 3, 3, 3]"), c.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> F.conv2d(Tensor.zeros(1, 2, 4, 4), Tensor.zeros(1, 3, 3, 3), null, 1, 0));
        assertTrue(f.getMessage().contains("[1, 2, 4, 4]") && f.getMessage().contains("[1, 3, 3, 3]"), f.getMessage());
        var small = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(1, 3, 2, 2)));
        assertTrue(small.getMessage().contains("[1, 3, 2, 2]"), small.getMessage());
        var lin = assertThrows(IllegalArgumentException.class, () -> new Linear(3, 4).forward(Tensor.zeros(2, 5)));
        assertTrue(lin.getMessage().contains("[2, 5]") && lin.getMessage().contains("3"), lin.getMessage());
        var pool = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 2).forward(Tensor.zeros(1, 1, 4, 4)));
        assertTrue(pool.getMessage().contains("padding"), pool.getMessage());
        var ln = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(4).forward(Tensor.zeros(2, 3)));
        assertTrue(ln.getMessage().contains("[4]") && ln.getMessage().contains("[2, 3]"), ln.getMessage());
    }

    @Test
    void predictRecordsNoGraph() {
        Conv2d conv = new Conv2d(1, 2, 3);
        assertFalse(conv.predict(Tensor.zeros(1, 1, 4, 4)).requiresGrad());
        try (var g = GradMode.noGrad()) {
            assertFalse(new LayerNorm(4).forward(Tensor.zeros(2, 4)).requiresGrad());
        }
    }
}
