package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.llm.Gguf;
import gradus.llm.LanguageModel;
import gradus.prune.MagnitudePruning;
import gradus.quant.QuantizedModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "info", description = "Show a saved model's layers, parameter count and size (with the sparsity of its weight layers; a quantized one: dtype, size and bits per weight per layer; a GGUF file's metadata and tensors, or a Hugging Face folder's configuration and tensors).")
final class InfoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR|FILE.gguf|HF_FOLDER")
    Path modelDir;

    @Override
    public Integer call() throws Exception {
        if (LanguageModel.isLanguageModel(modelDir)) {
            System.out.println(Files.isDirectory(modelDir) ? Gguf.describeFolder(modelDir) : Gguf.describe(existing(modelDir)));
        }
        else if (QuantizedModels.isQuantized(modelDir)) System.out.println(QuantizedModels.describe(modelDir));
        else System.out.println(ModelDirectory.describe(modelDir) + "\n" + sparsity(modelDir));
        return 0;
    }

    private static Path existing(Path file) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString());
        return file;
    }

    /** The zero weights per Linear / Conv2d layer (a pruned model's sparsity), or nothing for a model without such layers. */
    private static String sparsity(Path dir) throws Exception {
        try {
            return MagnitudePruning.sparsityReport(ModelDirectory.load(dir).model());
        } catch (IllegalArgumentException noWeightLayers) {
            return "";
        } catch (Exception e) { // info diagnoses: report and go on (describe above already named what is wrong)
            return "Sparsity: not computed (" + e.getMessage() + ")\n";
        }
    }
}
