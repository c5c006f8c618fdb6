package gradus.cli;

import gradus.io.ModelEncryption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "encrypt", description = {"Encrypt a model directory's files in place (AES-256-GCM, a data key per file wrapped by your key).",
        "gradus serve loads it given the same key; gradus decrypt undoes it."})
final class EncryptCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Mixin
    ModelKeyOptions key;

    @Override
    public Integer call() throws Exception {
        var names = ModelEncryption.encrypt(modelDir, key.requiredKey());
        System.out.println("encrypted " + modelDir + ": " + (names.isEmpty() ? "nothing left to encrypt" : String.join(", ", names)));
        return 0;
    }
}
