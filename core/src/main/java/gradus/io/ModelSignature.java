package gradus.io;

import gradus.files.AtomicFiles;
import gradus.files.FileFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ed25519 signatures of model directories. Signing seals the directory's {@code manifest.json} (see {@link FileSet})
 * so it lists every file with its SHA-256, and signs the manifest's bytes into {@code manifest.sig}
 * ({@code {"algorithm": "Ed25519", "public_key": …, "signature": …}}). Verifying checks the signature, then every
 * file against the manifest, and refuses files the manifest does not list; each failure names the file.
 */
public final class ModelSignature {
    public static final String SIGNATURE_FILE = "manifest.sig";
    /** The file names {@link #generateKeys} writes under its directory. */
    public static final String PRIVATE_KEY_FILE = "signing-key.pem", PUBLIC_KEY_FILE = "signing-key.pub.pem";

    private ModelSignature() {}

    /** Who signed a verified directory: the key's fingerprint and, when trust was asked for, the trusted key's file. */
    public record Signer(String fingerprint, String trustedKeyFile) {}

    /**
     * Writes a new key pair into {@code dir}: {@value #PRIVATE_KEY_FILE} (the PKCS#8 private key followed by its public
     * key, readable by the owner only where the file system allows) and {@value #PUBLIC_KEY_FILE} (the public key,
     * for trusted-keys directories). Refuses to overwrite either.
     */
    public static KeyPair generateKeys(Path dir) throws IOException {
        Path priv = dir.resolve(PRIVATE_KEY_FILE), pub = dir.resolve(PUBLIC_KEY_FILE);
        for (Path p : List.of(priv, pub)) if (Files.exists(p)) throw new FileFormatException(p, "exists already; keygen does not overwrite keys");
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(Pem.ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform since 15 has Ed25519", e);
        }
        Files.createDirectories(dir);
        String publicPem = Pem.encode(Pem.PUBLIC, pair.getPublic().getEncoded());
        Files.createFile(priv);
        try {
            Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file keeps the directory's access rules
        }
        Files.writeString(priv, Pem.encode(Pem.PRIVATE, pair.getPrivate().getEncoded()) + publicPem);
        AtomicFiles.writeString(pub, publicPem);
        return pair;
    }

    /**
     * Signs {@code dir} with the key in {@code keyFile} (a PEM file with the PRIVATE KEY and its PUBLIC KEY, as
     * {@link #generateKeys} writes; for an OpenSSL key append {@code openssl pkey -in KEY -pubout}). Returns the
     * names of the files signed.
     */
    public static List<String> sign(Path dir, Path keyFile) throws IOException {
        byte[] privateDer = Pem.find(keyFile, Pem.PRIVATE), publicDer = Pem.find(keyFile, Pem.PUBLIC);
        if (privateDer == null) throw new FileFormatException(keyFile, "has no PRIVATE KEY block");
        if (publicDer == null) throw new FileFormatException(keyFile, "has no PUBLIC KEY block after its private key (append the output of: openssl pkey -in KEY -pubout)");
        PrivateKey privateKey = Pem.privateKey(keyFile, privateDer);
        PublicKey publicKey = Pem.publicKey(keyFile, publicDer);
        if (!Files.isDirectory(dir)) throw new java.nio.file.NoSuchFileException(dir.toString(), null, "model directory not found");

        FileSet set = FileSet.seal(dir, List.of(SIGNATURE_FILE));
        byte[] manifest = Files.readAllBytes(dir.resolve(FileSet.MANIFEST));
        byte[] signature;
        try {
            Signature s = Signature.getInstance(Pem.ALGORITHM);
            s.initSign(privateKey);
            s.update(manifest);
            signature = s.sign();
            if (!verifies(publicKey, manifest, signature)) throw new FileFormatException(keyFile, "its PUBLIC KEY is not the private key's");
        } catch (GeneralSecurityException e) {
            throw new FileFormatException(keyFile, "cannot sign with this key: " + e.getMessage());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("algorithm", Pem.ALGORITHM);
        json.put("public_key", Base64.getEncoder().encodeToString(publicKey.getEncoded()));
        json.put("signature", Base64.getEncoder().encodeToString(signature));
        AtomicFiles.writeString(dir.resolve(SIGNATURE_FILE), Json.pretty(json));
        return List.copyOf(set.names());
    }

    /** Whether {@code dir} carries a signature (valid or not). */
    public static boolean isSigned(Path dir) {
        return Files.exists(dir.resolve(SIGNATURE_FILE));
    }

    /**
     * Checks the signature of {@code dir} and every file against the signed manifest. With {@code trusted}, the
     * directory must be signed by one of those keys; without, an unsigned directory passes and a signed one is
     * checked against the key it names (which catches changes, not forgeries). Fails naming the file at fault.
     */
    public static Signer verify(Path dir, TrustedKeys trusted) throws IOException {
        Path sigFile = dir.resolve(SIGNATURE_FILE), manifestFile = dir.resolve(FileSet.MANIFEST);
        if (!Files.isRegularFile(sigFile)) {
            if (trusted == null) return null;
            throw new FileFormatException(dir, "not signed (no " + SIGNATURE_FILE + "), and signed models are required: sign it with gradus sign");
        }
        if (!Files.isRegularFile(manifestFile)) throw new FileFormatException(manifestFile, "is missing, but " + SIGNATURE_FILE + " is there: the signed manifest was removed");
        byte[] manifest = Files.readAllBytes(manifestFile);
        Map<String, Object> json = Json.readObject(sigFile);
        if (!Pem.ALGORITHM.equals(json.get("algorithm")) || !(json.get("public_key") instanceof String key) || !(json.get("signature") instanceof String sig)) {
            throw new FileFormatException(sigFile, "expected \"algorithm\": \"Ed25519\", \"public_key\" and \"signature\" (base64)");
        }
        PublicKey publicKey;
        byte[] signature;
        publicKey = Pem.publicKey(sigFile, canonicalBase64(sigFile, "public_key", key));
        signature = canonicalBase64(sigFile, "signature", sig);
        String fingerprint = TrustedKeys.fingerprint(publicKey);
        String trustedFile = null;
        if (trusted != null) {
            trustedFile = trusted.fileOf(publicKey).orElseThrow(() -> new FileFormatException(sigFile,
                    "signed by key " + fingerprint + ", which is not among the trusted keys in " + trusted.dir()));
        }
        if (!verifies(publicKey, manifest, signature)) {
            throw new FileFormatException(manifestFile, "does not match its signature in " + SIGNATURE_FILE + ": the manifest or the signature changed after signing");
        }
        FileSet set = FileSet.parse(dir, manifest);
        List<String> changed = set.mismatches(set.names());
        if (!changed.isEmpty()) throw new FileFormatException(dir, "changed after signing: " + String.join("; ", changed));
        List<String> extra = set.unlisted(List.of(SIGNATURE_FILE));
        if (!extra.isEmpty()) throw new FileFormatException(dir.resolve(extra.getFirst()), "is not in the signed manifest: added after signing (sign again to include it)");
        return new Signer(fingerprint, trustedFile);
    }

    /** Decodes {@code text}, refusing other spellings of the same bytes (the decoder ignores a last character's unused bits). */
    private static byte[] canonicalBase64(Path file, String field, String text) throws FileFormatException {
        try {
            byte[] bytes = Base64.getDecoder().decode(text);
            if (Base64.getEncoder().encodeToString(bytes).equals(text)) return bytes;
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new FileFormatException(file, field + " is not canonical base64");
    }

    private static boolean verifies(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(Pem.ALGORITHM);
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) { // a malformed signature is one that does not verify
            return false;
        }
    }
}
