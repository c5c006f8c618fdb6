package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.io.gguf.GgmlType;
import gradus.io.onnx.Onnx;
import gradus.llm.GgufExport;
import gradus.models.Gpt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "export", description = {"Export a saved model to ONNX, or a Gpt to GGUF (--format gguf: llama.cpp's gpt2 architecture with the model's char or BPE tokenizer as byte-level BPE).",
        "ONNX: (dynamic batch axis; token ids [batch, sequence] for text models; an imported Bert gets input_ids, attention_mask, token_type_ids → last_hidden_state).",
        "The model card's preprocessing (input scaler) becomes the graph's first nodes, so the file takes the same raw inputs."})
final class ExportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--out", required = true, paramLabel = "FILE.onnx|FILE.gguf")
    Path out;

    @Option(names = "--format", paramLabel = "onnx|gguf", description = "Default: gguf when --out ends in .gguf, else onnx.")
    String format;

    @Option(names = "--quant", paramLabel = "f32|f16", description = "GGUF weight matrices (default f32; norms, biases and positions stay f32).")
    String quant;

    @Option(names = "--input-shape", split = ",", paramLabel = "D,D,…", description = "One example's shape, e.g. 1,28,28 "
            + "(default: input_shape in the model's config.json); -1 marks a dynamic axis. The batch axis is added in front.")
    int[] inputShape;

    @Override
    public Integer call() throws Exception {
        String f = format != null ? format.toLowerCase(Locale.ROOT) : out.toString().endsWith(".gguf") ? "gguf" : "onnx";
        if (f.equals("gguf")) return gguf();
        if (!f.equals("onnx")) throw new IllegalArgumentException("--format: expected onnx or gguf, got " + format);
        if (quant != null) throw new IllegalArgumentException("--quant is for --format gguf");
        var loaded = ModelDirectory.load(modelDir);
        Onnx.requireExportable(loaded.model());
        if (Onnx.readsTokenIds(loaded.model())) {
            if (inputShape != null) throw new IllegalArgumentException("--input-shape is for models that read features; this one reads token ids [batch, sequence]");
            Onnx.export(loaded.model(), out);
        } else {
            int[] example = inputShape != null ? inputShape : loaded.card().inputShape();
            if (example == null) {
                throw new IllegalArgumentException(modelDir.resolve(ModelDirectory.CONFIG_FILE) + " has no input_shape: give one example's shape with --input-shape, e.g. --input-shape 1,28,28");
            }
            int[] dims = new int[example.length + 1];
            dims[0] = -1; // batch
            for (int i = 0; i < example.length; i++) {
                if (example[i] == 0 || example[i] < -1) throw new IllegalArgumentException("--input-shape: dimension " + i + " is " + example[i] + "; give positive sizes or -1");
                dims[i + 1] = example[i];
            }
            Onnx.export(loaded, dims, out);
        }
        System.out.println("wrote " + out);
        return 0;
    }

    private int gguf() throws Exception {
        if (inputShape != null) throw new IllegalArgumentException("--input-shape is for ONNX; a GGUF model reads token ids");
        GgmlType type = switch (quant == null ? "f32" : quant.toLowerCase(Locale.ROOT)) {
            case "f32" -> GgmlType.F32;
            case "f16" -> GgmlType.F16;
            default -> throw new IllegalArgumentException("--quant: expected f32 or f16 for GGUF export, got " + quant);
        };
        var loaded = ModelDirectory.load(modelDir);
        if (!(loaded.model() instanceof Gpt gpt)) {
            throw new IllegalArgumentException("--format gguf exports a Gpt; " + modelDir + " holds a " + loaded.model().getClass().getSimpleName());
        }
        Path name = modelDir.toAbsolutePath().normalize().getFileName();
        GgufExport.write(gpt, ModelDirectory.tokenizer(modelDir), name == null ? "gradus" : name.toString(), type, out);
        System.out.println("wrote " + out);
        return 0;
    }
}
