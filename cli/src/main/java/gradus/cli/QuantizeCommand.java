package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.quant.Quantization;
import gradus.quant.QuantizedModels;
import gradus.quant.Scheme;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "quantize", description = {"Quantize a saved model's weights after training (Linear layers, Embedding tables, Bert's projections) into a new model directory.",
        "int8: weights int8 per output row, activations quantized per row at run time; int4: weight-only, one scale per --group-size inputs; bf16/f16: 16-bit weights, float32 compute.",
        "The directory stays safetensors (I8/U8/F16/BF16 with their scales) with quantization.json beside config.json; see docs/compression.md."})
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Option(names = "--mode", required = true, paramLabel = "int8|int4|bf16|f16")
    String mode;

    @Option(names = "--group-size", defaultValue = "32", paramLabel = "N", description = "int4's group of inputs sharing a scale: 32, 64 or 128 (default ${DEFAULT-VALUE}).")
    int groupSize;

    @Override
    public Integer call() throws Exception {
        Scheme scheme = Scheme.parse(mode);
        if (out.toAbsolutePath().normalize().equals(modelDir.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--out must differ from MODEL_DIR (" + modelDir + "): the float model is kept");
        }
        var loaded = ModelDirectory.load(modelDir);
        var quantized = Quantization.quantize(loaded.model(), scheme, groupSize);
        Map<String, Object> extra = new LinkedHashMap<>(loaded.config());
        extra.keySet().removeAll(java.util.List.of("format", "format_version", "model"));
        QuantizedModels.save(out, quantized, scheme, groupSize, extra);
        Path tokenizer = modelDir.resolve(ModelDirectory.TOKENIZER_FILE);
        if (Files.isRegularFile(tokenizer)) Files.copy(tokenizer, out.resolve(ModelDirectory.TOKENIZER_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long before = Files.size(modelDir.resolve(ModelDirectory.WEIGHTS_FILE)), after = Files.size(out.resolve(ModelDirectory.WEIGHTS_FILE));
        System.out.printf("wrote %s: model.safetensors %d → %d bytes (%.3f×)%n", out, before, after, (double) after / before);
        return 0;
    }
}
