package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.io.onnx.Onnx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", description = {"Export a saved model to ONNX (dynamic batch axis; token ids [batch, sequence] for text models; an imported Bert gets input_ids, attention_mask, token_type_ids → last_hidden_state).",
        "The model card's preprocessing (input scaler) becomes the graph's first nodes, so the file takes the same raw inputs."})
final class ExportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--out", required = true, paramLabel = "FILE.onnx")
    Path out;

    @Option(names = "--input-shape", split = ",", paramLabel = "D,D,…", description = "One example's shape, e.g. 1,28,28 "
            + "(default: input_shape in the model's config.json); -1 marks a dynamic axis. The batch axis is added in front.")
    int[] inputShape;

    @Override
    public Integer call() throws Exception {
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
}
