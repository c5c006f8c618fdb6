package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.llm.Gguf;
import gradus.quant.QuantizedModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "info", description = "Show a saved model's layers, parameter count and size (a quantized one: dtype, size and bits per weight per layer; or a GGUF file's metadata and tensors).")
final class InfoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR|FILE.gguf")
    Path modelDir;

    @Override
    public Integer call() throws Exception {
        System.out.println(Gguf.isGgufFile(modelDir) ? Gguf.describe(modelDir)
                : QuantizedModels.isQuantized(modelDir) ? QuantizedModels.describe(modelDir) : ModelDirectory.describe(modelDir));
        return 0;
    }
}
