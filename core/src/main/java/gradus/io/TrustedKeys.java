package gradus.io;

import gradus.files.FileFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The Ed25519 public keys whose signatures a loader accepts: every {@code *.pem} file of one directory. */
public final class TrustedKeys {
    private final Path dir;
    private final Map<String, String> fileByFingerprint;

    private TrustedKeys(Path dir, Map<String, String> fileByFingerprint) {
        this.dir = dir;
        this.fileByFingerprint = fileByFingerprint;
    }

    /** Reads the public keys in {@code dir}; fails naming a file that holds a private key or no public key, or a directory with none. */
    public static TrustedKeys load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "trusted keys directory not found");
        Map<String, String> keys = new LinkedHashMap<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".pem")).sorted().toList()) {
                if (Pem.find(f, Pem.PRIVATE) != null) throw new FileFormatException(f, "holds a private key: trusted keys are public keys only (the .pub.pem file of gradus keygen)");
                byte[] der = Pem.find(f, Pem.PUBLIC);
                if (der == null) throw new FileFormatException(f, "has no PUBLIC KEY block");
                keys.put(fingerprint(Pem.publicKey(f, der)), f.getFileName().toString());
            }
        }
        if (keys.isEmpty()) throw new FileFormatException(dir, "no public keys (*.pem) to trust");
        return new TrustedKeys(dir, keys);
    }

    /** The file of the trusted key equal to {@code key}, if any. */
    Optional<String> fileOf(PublicKey key) {
        return Optional.ofNullable(fileByFingerprint.get(fingerprint(key)));
    }

    Path dir() {
        return dir;
    }

    /** "SHA256:" and the hex SHA-256 of the key's X.509 encoding: how messages name a key. */
    public static String fingerprint(PublicKey key) {
        try {
            return "SHA256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
