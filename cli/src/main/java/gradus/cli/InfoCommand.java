package gradus.cli;

import gradus.io.ModelDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "info", description = "Show a saved model's layers, parameter count and size.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Override
    public Integer call() throws Exception {
        System.out.println(ModelDirectory.describe(modelDir));
        return 0;
    }
}
