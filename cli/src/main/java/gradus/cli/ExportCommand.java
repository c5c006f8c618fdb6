package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.io.onnx.Onnx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "export", description = "Export a saved model to ONNX (dynamic batch axis; token ids [batch, sequence] for text models).")
final class ExportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--out", required = true, paramLabel = "FILE.onnx")
    Path out;

    @Override
    public Integer call() throws Exception {
        var loaded = ModelDirectory.load(modelDir);
        if (loaded.config().get("input_shape") instanceof List<?> shape) {
            int[] dims = new int[shape.size() + 1];
            dims[0] = -1; // batch
            for (int i = 0; i < shape.size(); i++) dims[i + 1] = ((Number) shape.get(i)).intValue();
            Onnx.export(loaded.model(), dims, out);
        } else {
            Onnx.export(loaded.model(), out); // text models read token ids
        }
        System.out.println("wrote " + out);
        return 0;
    }
}
