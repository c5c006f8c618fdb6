package gradus.quant;

import gradus.kernels.Int4Weight;
import gradus.models.Bert;
import gradus.nn.Embedding;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.Sequential;

import java.util.ArrayList;
import java.util.List;

/**
 * Post-training quantization of a trained model into a new, inference-only one (the original is not changed):
 * {@link Linear} layers become {@link QuantizedLinear}, {@link Embedding} tables {@link QuantizedEmbedding},
 * a {@link Bert} a {@link QuantizedBert} (attention projections and feed-forward layers included), through
 * {@link Sequential} containers. Layers without weights to quantize (activations, pooling, norms, Conv2d,
 * recurrent layers) are shared with the original as they are.
 */
public final class Quantization {
    /** int4's default group size (ONNX Runtime's MatMulNBits and GPTQ's usual block). */
    public static final int DEFAULT_GROUP = 32;

    private Quantization() {}

    /** Dynamic int8: weights int8 per output row, activations quantized per row at run time. */
    public static Module dynamicInt8(Module model) {
        return quantize(model, Scheme.INT8, 0);
    }

    /** Weight-only int4 in groups of {@code group} (32, 64 or 128) inputs; activations stay float32. */
    public static Module int4(Module model, int group) {
        return quantize(model, Scheme.INT4, group);
    }

    /** bfloat16 weight storage with float32 compute. */
    public static Module bf16(Module model) {
        return quantize(model, Scheme.BF16, 0);
    }

    /** IEEE half weight storage with float32 compute. */
    public static Module f16(Module model) {
        return quantize(model, Scheme.F16, 0);
    }

    /** {@code model} with its weights in {@code scheme} ({@code group}: int4's group size, ignored otherwise). */
    public static Module quantize(Module model, Scheme scheme, int group) {
        if (scheme == Scheme.INT4) checkGroups(model, group);
        Module q = convert(model, scheme, group);
        q.eval();
        return q;
    }

    private static Module convert(Module m, Scheme scheme, int group) {
        return switch (m) {
            case Linear l -> QuantizedLinear.of(l, scheme, group);
            case Embedding e -> QuantizedEmbedding.of(e, scheme);
            case Bert b -> QuantizedBert.of(b, scheme, group);
            case Sequential s -> {
                List<Module> layers = new ArrayList<>();
                for (Module child : s.layers()) layers.add(convert(child, scheme, group));
                yield new Sequential(layers);
            }
            default -> m;
        };
    }

    /** Fails before any work when the group size does not divide some Linear's input width. */
    private static void checkGroups(Module m, int group) {
        switch (m) {
            case Linear l -> {
                try {
                    Int4Weight.checkGroup(l.weight().size(1), group);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Linear(" + l.weight().size(1) + "→" + l.weight().size(0) + "): " + e.getMessage(), e);
                }
            }
            case Bert b -> {
                Int4Weight.checkGroup(b.bertConfig().hiddenSize(), group);
                Int4Weight.checkGroup(b.bertConfig().intermediateSize(), group);
            }
            case Sequential s -> s.layers().forEach(c -> checkGroups(c, group));
            default -> {}
        }
    }
}
