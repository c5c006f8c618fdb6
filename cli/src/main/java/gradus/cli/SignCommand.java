package gradus.cli;

import gradus.io.ModelSignature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "sign", description = {"Sign a model directory: manifest.json lists every file's SHA-256, manifest.sig signs it (Ed25519).",
        "A later save of the model removes the signature."})
final class SignCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--key", required = true, paramLabel = "KEY", description = "Private key PEM from gradus keygen (its PRIVATE KEY and PUBLIC KEY blocks).")
    Path key;

    @Override
    public Integer call() throws Exception {
        var signed = ModelSignature.sign(modelDir, key);
        System.out.println("signed " + modelDir + ": " + String.join(", ", signed) + " (" + ModelSignature.verify(modelDir, null).fingerprint() + ")");
        return 0;
    }
}
