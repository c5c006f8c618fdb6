package gradus.cli;

import gradus.io.ModelEncryption;
import picocli.CommandLine.Option;

import javax.crypto.SecretKey;
import java.io.IOException;
import java.nio.file.Path;

/** Where the key that encrypts model files comes from: a key file, an environment variable or a PKCS#12 keystore (one of them). */
final class ModelKeyOptions {
    static final String PASSWORD_VARIABLE = "GRADUS_MODEL_KEYSTORE_PASSWORD";

    @Option(names = "--model-key-file", paramLabel = "FILE", description = "File with the AES-256 key in base64 (head -c 32 /dev/urandom | base64 > FILE).")
    Path keyFile;

    @Option(names = "--model-key-env", paramLabel = "VAR", description = "Environment variable holding the key in base64.")
    String keyEnv;

    @Option(names = "--model-keystore", paramLabel = "FILE", description = "PKCS#12 keystore with an AES-256 secret key (password in " + PASSWORD_VARIABLE + ").")
    Path keystore;

    @Option(names = "--model-key-alias", defaultValue = "gradus-model", paramLabel = "ALIAS", description = "The keystore entry (default ${DEFAULT-VALUE}).")
    String alias;

    /** The key given, or null when none is; fails when more than one source is given. */
    SecretKey key() throws IOException {
        int given = (keyFile != null ? 1 : 0) + (keyEnv != null ? 1 : 0) + (keystore != null ? 1 : 0);
        if (given > 1) throw new IllegalArgumentException("give one of --model-key-file, --model-key-env and --model-keystore");
        if (keyFile != null) return ModelEncryption.keyFromFile(keyFile);
        if (keyEnv != null) return ModelEncryption.keyFromEnvironment(keyEnv);
        if (keystore != null) {
            String password = System.getenv(PASSWORD_VARIABLE);
            if (password == null) throw new IllegalArgumentException("set " + PASSWORD_VARIABLE + " to the password of " + keystore);
            return ModelEncryption.keyFromKeystore(keystore, password.toCharArray(), alias);
        }
        return null;
    }

    SecretKey requiredKey() throws IOException {
        SecretKey k = key();
        if (k == null) throw new IllegalArgumentException("give the key: --model-key-file FILE, --model-key-env VAR or --model-keystore FILE");
        return k;
    }
}
