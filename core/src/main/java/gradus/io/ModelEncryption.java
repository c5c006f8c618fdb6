package gradus.io;

import gradus.files.AtomicFiles;
import gradus.files.FileFormatException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model directories encrypted at rest with AES-256-GCM. Each file gets its own random data key, wrapped (AES-GCM)
 * by the key-encryption key the user holds; the file keeps its name and becomes
 * {@code GRDSENC1 | key id (8) | wrap IV (12) | wrapped data key (48) | data IV (12) | ciphertext and tag}, where
 * the header and the file's name are authenticated with both, so a changed byte, a file renamed or moved from
 * another model, or another key is an error naming the file. The manifest (sealed to list every file first, see
 * {@link FileSet}) is encrypted too, which ties the files into one set; {@code manifest.sig} stays readable.
 * Errors never include key material.
 */
public final class ModelEncryption {
    private static final byte[] MAGIC = "GRDSENC1".getBytes(StandardCharsets.US_ASCII);
    private static final int KEY_ID = 8, IV = 12, TAG_BITS = 128, WRAPPED = 32 + TAG_BITS / 8;
    private static final int HEADER = MAGIC.length + KEY_ID + IV + WRAPPED + IV;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ModelEncryption() {}

    // ---------------------------------------------------------------- keys

    /** A key from base64 text holding 32 bytes (as {@code head -c 32 /dev/urandom | base64} writes); {@code source} names it in errors. */
    public static SecretKey keyFromBase64(String text, String source) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + " is not base64 (expected 32 random bytes in base64)");
        }
        if (raw.length != 32) throw new IllegalArgumentException(source + " holds " + raw.length + " bytes, an AES-256 key is 32");
        SecretKey key = new SecretKeySpec(raw, "AES");
        Arrays.fill(raw, (byte) 0);
        return key;
    }

    public static SecretKey keyFromFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "key file not found (create one with: head -c 32 /dev/urandom | base64 > FILE)");
        return keyFromBase64(Files.readString(file, StandardCharsets.US_ASCII), "key file " + file);
    }

    public static SecretKey keyFromEnvironment(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) throw new IllegalArgumentException("environment variable " + variable + " is not set");
        return keyFromBase64(value, "environment variable " + variable);
    }

    /** The AES secret-key entry {@code alias} of a PKCS#12 keystore ({@code keytool -genseckey -keyalg AES -keysize 256 -storetype PKCS12}). */
    public static SecretKey keyFromKeystore(Path store, char[] password, String alias) throws IOException {
        if (!Files.isRegularFile(store)) throw new NoSuchFileException(store.toString(), null, "keystore not found");
        try (var in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            if (!ks.containsAlias(alias)) throw new FileFormatException(store, "has no entry '" + alias + "' (entries: " + String.join(", ", java.util.Collections.list(ks.aliases())) + ")");
            if (!(ks.getKey(alias, password) instanceof SecretKey k) || !"AES".equalsIgnoreCase(k.getAlgorithm()) || k.getEncoded().length != 32) {
                throw new FileFormatException(store, "entry '" + alias + "' is not an AES-256 secret key");
            }
            return k;
        } catch (GeneralSecurityException e) {
            throw new FileFormatException(store, "cannot read the keystore: " + e.getClass().getSimpleName() + " (wrong password?)");
        } catch (IOException e) {
            if (e instanceof FileFormatException) throw e;
            throw new FileFormatException(store, "cannot read the keystore (wrong password, or not PKCS#12)");
        }
    }

    /** A fresh random AES-256 key (tests, and the base64 a user stores). */
    public static SecretKey generateKey() {
        try {
            KeyGenerator g = KeyGenerator.getInstance("AES");
            g.init(256, RANDOM);
            return g.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has AES", e);
        }
    }

    // ---------------------------------------------------------------- directories

    /** Whether {@code file} starts as an encrypted file does. */
    public static boolean isEncrypted(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return false;
        try (var in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        }
    }

    /**
     * Encrypts every file of {@code dir} in place (a file already encrypted with this key is left as it is, so an
     * interrupted run can be repeated). Returns the names encrypted.
     */
    public static List<String> encrypt(Path dir, SecretKey key) throws IOException {
        for (String name : files(dir)) {
            Path f = dir.resolve(name);
            if (isEncrypted(f) && !Arrays.equals(keyIdOf(f), keyId(key))) throw new FileFormatException(f, "is encrypted with another key");
        }
        if (!isEncrypted(dir.resolve(FileSet.MANIFEST))) FileSet.seal(dir, List.of(ModelSignature.SIGNATURE_FILE));
        List<String> done = new ArrayList<>();
        for (String name : files(dir)) {
            Path f = dir.resolve(name);
            if (isEncrypted(f)) continue;
            byte[] sealed = seal(name, Files.readAllBytes(f), key);
            AtomicFiles.write(f, out -> out.write(sealed));
            done.add(name);
        }
        return done;
    }

    /** Decrypts every file of {@code dir} in place, after checking all of them (a changed file leaves the directory untouched). */
    public static List<String> decrypt(Path dir, SecretKey key) throws IOException {
        Map<String, byte[]> plain = decryptAll(dir, key);
        for (var e : plain.entrySet()) AtomicFiles.write(dir.resolve(e.getKey()), out -> out.write(e.getValue()));
        return List.copyOf(plain.keySet());
    }

    /** Every file of {@code dir} decrypted in memory (the signature file as it is), each checked; fails naming a file that is not encrypted or changed. */
    static Map<String, byte[]> decryptAll(Path dir, SecretKey key) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "model directory not found");
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String name : files(dir)) {
            Path f = dir.resolve(name);
            byte[] bytes = Files.readAllBytes(f);
            if (!startsWithMagic(bytes)) throw new FileFormatException(f, "is not encrypted, in a directory that should be (added or replaced after encryption?)");
            out.put(name, open(f, name, bytes, key));
        }
        if (!out.containsKey(FileSet.MANIFEST)) throw new FileFormatException(dir.resolve(FileSet.MANIFEST), "is missing: an encrypted model keeps its manifest beside its files");
        return out;
    }

    /**
     * A private temporary copy of an encrypted directory, decrypted, for loaders that read its files themselves
     * (a text model's tokenizer); closing deletes it. Errors while decrypting name the encrypted files.
     */
    public static Decrypted decryptedCopy(Path encrypted, SecretKey key) throws IOException {
        return new Decrypted(encrypted, key);
    }

    /** See {@link #decryptedCopy}. */
    public static final class Decrypted implements AutoCloseable {
        final Path dir;
        private final Path encrypted;

        Decrypted(Path encrypted, SecretKey key) throws IOException {
            this.encrypted = encrypted;
            Map<String, byte[]> plain = decryptAll(encrypted, key);
            Path base = Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm")) ? Path.of("/dev/shm") : null; // RAM, where there is one
            dir = base == null ? Files.createTempDirectory("gradus-decrypted", ownerOnly()) : Files.createTempDirectory(base, "gradus-decrypted", ownerOnly());
            try {
                for (var e : plain.entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue());
                Path sig = encrypted.resolve(ModelSignature.SIGNATURE_FILE);
                if (Files.isRegularFile(sig)) Files.copy(sig, dir.resolve(ModelSignature.SIGNATURE_FILE));
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        /** Where the decrypted files are, until {@link #close}. */
        public Path dir() {
            return dir;
        }

        /** An error about a file of this copy, as one about the same file of the encrypted directory. */
        public FileFormatException relabel(FileFormatException e) {
            if (e.file() == null || !e.file().startsWith(dir)) return e;
            String problem = e.getMessage().substring(e.file().toString().length() + 2).replace(dir.toString(), encrypted.toString());
            return new FileFormatException(encrypted.resolve(dir.relativize(e.file()).toString()), problem, e);
        }

        private static java.nio.file.attribute.FileAttribute<?>[] ownerOnly() {
            if (!java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) return new java.nio.file.attribute.FileAttribute<?>[0];
            return new java.nio.file.attribute.FileAttribute<?>[]{java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"))};
        }

        @Override
        public void close() throws IOException {
            try (var list = Files.list(dir)) {
                for (Path p : list.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    // ---------------------------------------------------------------- one file

    private static List<String> files(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (var list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.equals(ModelSignature.SIGNATURE_FILE)) continue;
                if (!Files.isRegularFile(p)) throw new FileFormatException(p, "is not a plain file: a model directory to encrypt holds plain files only");
                names.add(name);
            }
        }
        return names;
    }

    private static byte[] seal(String name, byte[] plain, SecretKey key) {
        try {
            byte[] dataKey = new byte[32], wrapIv = new byte[IV], dataIv = new byte[IV];
            RANDOM.nextBytes(dataKey);
            RANDOM.nextBytes(wrapIv);
            RANDOM.nextBytes(dataIv);
            ByteBuffer header = ByteBuffer.allocate(HEADER).put(MAGIC).put(keyId(key)).put(wrapIv);
            byte[] wrapped = gcm(Cipher.ENCRYPT_MODE, key, wrapIv, aad(header.array(), MAGIC.length + KEY_ID + IV, name), dataKey);
            header.put(wrapped).put(dataIv);
            SecretKey data = new SecretKeySpec(dataKey, "AES");
            Arrays.fill(dataKey, (byte) 0);
            byte[] body = gcm(Cipher.ENCRYPT_MODE, data, dataIv, aad(header.array(), HEADER, name), plain);
            return ByteBuffer.allocate(HEADER + body.length).put(header.array()).put(body).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is on every Java platform", e);
        }
    }

    private static byte[] open(Path file, String name, byte[] bytes, SecretKey key) throws FileFormatException {
        if (bytes.length < HEADER + TAG_BITS / 8) throw new FileFormatException(file, "is truncated: shorter than an encrypted file's header");
        if (!Arrays.equals(bytes, MAGIC.length, MAGIC.length + KEY_ID, keyId(key), 0, KEY_ID)) {
            throw new FileFormatException(file, "is encrypted with another key, or its header changed");
        }
        try {
            int at = MAGIC.length + KEY_ID;
            byte[] wrapIv = Arrays.copyOfRange(bytes, at, at + IV);
            byte[] dataKey = gcm(Cipher.DECRYPT_MODE, key, wrapIv, aad(bytes, at + IV, name), Arrays.copyOfRange(bytes, at + IV, at + IV + WRAPPED));
            byte[] dataIv = Arrays.copyOfRange(bytes, HEADER - IV, HEADER);
            SecretKey data = new SecretKeySpec(dataKey, "AES");
            Arrays.fill(dataKey, (byte) 0);
            return gcm(Cipher.DECRYPT_MODE, data, dataIv, aad(bytes, HEADER, name), Arrays.copyOfRange(bytes, HEADER, bytes.length));
        } catch (AEADBadTagException e) {
            throw new FileFormatException(file, "failed authentication: changed after encryption, or moved from another file");
        } catch (GeneralSecurityException e) {
            throw new FileFormatException(file, "cannot be decrypted: " + e.getClass().getSimpleName());
        }
    }

    private static boolean startsWithMagic(byte[] bytes) {
        return bytes.length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    private static byte[] keyIdOf(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            in.skipNBytes(MAGIC.length);
            return in.readNBytes(KEY_ID);
        }
    }

    /** Identifies the key without revealing it: the start of SHA-256 over a label and the key. */
    private static byte[] keyId(SecretKey key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("gradus model key id".getBytes(StandardCharsets.US_ASCII));
            return Arrays.copyOf(sha.digest(key.getEncoded()), KEY_ID);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The first {@code length} header bytes followed by the file name: what each GCM tag authenticates besides its ciphertext. */
    private static byte[] aad(byte[] header, int length, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(length + n.length).put(header, 0, length).put(n).array();
    }

    private static byte[] gcm(int mode, SecretKey key, byte[] iv, byte[] aad, byte[] input) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
        c.updateAAD(aad);
        return c.doFinal(input);
    }
}
