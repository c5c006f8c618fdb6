package gradus.cli;

import gradus.io.ModelSignature;
import gradus.io.TrustedKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "verify", description = "Check that a model directory is signed by a trusted key and no file changed since; exits 1 naming the file otherwise.")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--trusted-keys", required = true, paramLabel = "DIR", description = "Directory of trusted public keys (*.pem).")
    Path trustedKeys;

    @Override
    public Integer call() throws Exception {
        var signer = ModelSignature.verify(modelDir, TrustedKeys.load(trustedKeys));
        System.out.println("verified " + modelDir + ": signed by " + signer.trustedKeyFile() + " (" + signer.fingerprint() + "), no file changed");
        return 0;
    }
}
