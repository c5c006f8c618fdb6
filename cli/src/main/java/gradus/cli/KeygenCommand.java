package gradus.cli;

import gradus.io.ModelSignature;
import gradus.io.TrustedKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "keygen", description = "Create an Ed25519 key pair for signing models (PEM, PKCS#8 and X.509).")
final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write " + ModelSignature.PRIVATE_KEY_FILE + " (keep it secret) and " + ModelSignature.PUBLIC_KEY_FILE + " (copy it into --trusted-keys directories).")
    Path out;

    @Override
    public Integer call() throws Exception {
        var pair = ModelSignature.generateKeys(out);
        System.out.println("wrote " + out.resolve(ModelSignature.PRIVATE_KEY_FILE) + " (private) and " + out.resolve(ModelSignature.PUBLIC_KEY_FILE)
                + " (public, " + TrustedKeys.fingerprint(pair.getPublic()) + ")");
        return 0;
    }
}
