package gradus.cli;

import gradus.io.ModelEncryption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "decrypt", description = "Decrypt a model directory encrypted by gradus encrypt, in place, after checking every file.")
final class DecryptCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Mixin
    ModelKeyOptions key;

    @Override
    public Integer call() throws Exception {
        var names = ModelEncryption.decrypt(modelDir, key.requiredKey());
        System.out.println("decrypted " + modelDir + ": " + String.join(", ", names));
        return 0;
    }
}
