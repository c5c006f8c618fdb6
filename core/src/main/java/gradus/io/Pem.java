package gradus.io;

import gradus.files.FileFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Ed25519 keys in PEM files, as OpenSSL writes them: "PRIVATE KEY" (PKCS#8) and "PUBLIC KEY" (X.509 SubjectPublicKeyInfo) blocks. */
final class Pem {
    static final String ALGORITHM = "Ed25519";
    static final String PRIVATE = "PRIVATE KEY", PUBLIC = "PUBLIC KEY";
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private Pem() {}

    record Block(String type, byte[] der) {}

    static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** The PEM blocks in {@code file}; fails naming it when there are none. */
    static List<Block> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(file, "the " + m.group(1) + " block is not valid base64: " + e.getMessage());
            }
        }
        if (blocks.isEmpty()) throw new FileFormatException(file, "no PEM block (-----BEGIN …-----) found");
        return blocks;
    }

    /** The first block of {@code type} in {@code file}, or null. */
    static byte[] find(Path file, String type) throws IOException {
        for (Block b : read(file)) if (b.type().equals(type)) return b.der();
        return null;
    }

    static PublicKey publicKey(Path file, byte[] der) throws FileFormatException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new FileFormatException(file, "not an Ed25519 public key: " + e.getMessage());
        }
    }

    static PrivateKey privateKey(Path file, byte[] der) throws FileFormatException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new FileFormatException(file, "not an Ed25519 private key (PKCS#8): " + e.getMessage()); // the JDK's message holds no key material
        }
    }
}
