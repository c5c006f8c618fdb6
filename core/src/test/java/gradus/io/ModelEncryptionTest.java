package gradus.io;

import gradus.nn.Linear;
import gradus.nn.Sequential;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.SecretKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Encrypted model directories: unreadable without the key, every change refused naming the file, keys never in messages. */
class ModelEncryptionTest {
    @TempDir
    Path tmp;
    Path model;
    SecretKey key;
    Map<String, byte[]> original = new HashMap<>();
    Tensor expected;
    static final Tensor INPUT = Tensor.of(new float[]{1, -2, 3, 0.5f}, 1, 4);

    @BeforeEach
    void encryptedModel() throws IOException {
        model = tmp.resolve("model");
        var net = new Sequential(new Linear(4, 3));
        ModelDirectory.save(model, net, Map.of("input_shape", List.of(4)));
        Files.writeString(model.resolve(ModelDirectory.TOKENIZER_FILE), "{\"secret\": \"vocabulary\"}");
        expected = ModelDirectory.load(model).model().forward(INPUT);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) original.put(f, Files.readAllBytes(model.resolve(f)));
        key = ModelEncryption.generateKey();
        assertEquals(List.of("config.json", "manifest.json", "model.safetensors", "tokenizer.json"), ModelEncryption.encrypt(model, key));
    }

    private ModelDirectory.Loaded loadWith(SecretKey k) throws IOException {
        return ModelDirectory.load(model, ModelProtection.NONE.withKey(k));
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void filesAreUnreadableWithoutTheKeyAndLoadWithIt() throws IOException {
        for (String f : files(model)) {
            assertTrue(ModelEncryption.isEncrypted(model.resolve(f)), f);
            assertFalse(new String(Files.readAllBytes(model.resolve(f)), StandardCharsets.ISO_8859_1).contains("format"), f + " shows its text");
        }
        assertTrue(assertThrows(IOException.class, () -> ModelDirectory.load(model)).getMessage().contains("config.json: is encrypted"));
        assertArrayEquals(expected.toArray(), loadWith(key).model().forward(INPUT).toArray());
        assertEquals(List.of(), ModelEncryption.encrypt(model, key), "a second run finds nothing left to encrypt");
    }

    @Test
    void flippingAByteOfAnyFileFailsNamingIt() throws IOException {
        for (String name : files(model)) {
            Path file = model.resolve(name);
            byte[] bytes = Files.readAllBytes(file);
            for (int i : new int[]{0, 9, 20, 40, 80, bytes.length / 2, bytes.length - 1}) { // magic, key id, wrap IV, wrapped key, data IV, body, tag
                byte[] changed = bytes.clone();
                changed[i] ^= 1;
                Files.write(file, changed);
                IOException e = assertThrows(IOException.class, () -> loadWith(key), name + " byte " + i);
                assertTrue(e.getMessage().startsWith(file.toString()), name + " byte " + i + ": " + e.getMessage());
            }
            Files.write(file, bytes);
        }
        assertNotNull(loadWith(key).model());
    }

    @Test
    void anotherKeyAMovedFileOrAPlainFileIsRefused() throws IOException {
        IOException e = assertThrows(IOException.class, () -> loadWith(ModelEncryption.generateKey()));
        assertTrue(e.getMessage().contains("config.json: is encrypted with another key"), e.getMessage());

        Path config = model.resolve("config.json"), tokenizer = model.resolve("tokenizer.json");
        byte[] c = Files.readAllBytes(config), t = Files.readAllBytes(tokenizer);
        Files.write(config, t); // the tokenizer's ciphertext under the config's name
        e = assertThrows(IOException.class, () -> loadWith(key));
        assertTrue(e.getMessage().contains("config.json: failed authentication"), e.getMessage());
        Files.write(config, c);

        Files.write(tokenizer, original.get("tokenizer.json"));
        e = assertThrows(IOException.class, () -> loadWith(key));
        assertTrue(e.getMessage().contains("tokenizer.json: is not encrypted"), e.getMessage());
    }

    @Test
    void decryptRestoresTheFiles() throws IOException {
        ModelEncryption.decrypt(model, key);
        for (var e : original.entrySet()) assertArrayEquals(e.getValue(), Files.readAllBytes(model.resolve(e.getKey())), e.getKey());
        assertArrayEquals(expected.toArray(), ModelDirectory.load(model).model().forward(INPUT).toArray());
    }

    @Test
    void signedAndEncryptedLoadsWithBothAndLeavesNoPlaintextBehind() throws IOException {
        ModelEncryption.decrypt(model, key);
        Path keys = tmp.resolve("keys"), trusted = Files.createDirectories(tmp.resolve("trusted"));
        ModelSignature.generateKeys(keys);
        Files.copy(keys.resolve(ModelSignature.PUBLIC_KEY_FILE), trusted.resolve("k.pem"));
        ModelSignature.sign(model, keys.resolve(ModelSignature.PRIVATE_KEY_FILE));
        ModelEncryption.encrypt(model, key);
        assertFalse(ModelEncryption.isEncrypted(model.resolve(ModelSignature.SIGNATURE_FILE)));
        Path shm = Path.of("/dev/shm");
        long before = Files.isDirectory(shm) ? files(shm).stream().filter(n -> n.startsWith("gradus-decrypted")).count() : 0;
        var loaded = ModelDirectory.load(model, new ModelProtection(TrustedKeys.load(trusted), key));
        assertArrayEquals(expected.toArray(), loaded.model().forward(INPUT).toArray());
        long after = Files.isDirectory(shm) ? files(shm).stream().filter(n -> n.startsWith("gradus-decrypted")).count() : 0;
        assertEquals(before, after, "the decrypted copy is deleted after the load");
        // an unsigned copy fails on the signature, named as the encrypted directory's file
        Files.delete(model.resolve(ModelSignature.SIGNATURE_FILE));
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(model, new ModelProtection(TrustedKeys.load(trusted), key)));
        assertTrue(e.getMessage().startsWith(model.toString() + ": not signed"), e.getMessage());
    }

    @Test
    void keysComeFromBase64KeystoresAndNeverShowInErrors(@TempDir Path dir) throws Exception {
        String b64 = Base64.getEncoder().encodeToString(key.getEncoded());
        Path file = dir.resolve("model.key");
        Files.writeString(file, b64 + "\n");
        assertArrayEquals(key.getEncoded(), ModelEncryption.keyFromFile(file).getEncoded());
        String shortKey = b64.substring(0, 20);
        var e = assertThrows(IllegalArgumentException.class, () -> ModelEncryption.keyFromBase64(shortKey, "key file x"));
        assertFalse(e.getMessage().contains(shortKey), e.getMessage());
        assertTrue(e.getMessage().contains("an AES-256 key is 32"), e.getMessage());

        Path store = dir.resolve("keys.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] password = "correct horse".toCharArray();
        ks.setEntry("gradus-model", new KeyStore.SecretKeyEntry(key), new KeyStore.PasswordProtection(password));
        try (var out = Files.newOutputStream(store)) {
            ks.store(out, password);
        }
        assertArrayEquals(key.getEncoded(), ModelEncryption.keyFromKeystore(store, password, "gradus-model").getEncoded());
        IOException wrong = assertThrows(IOException.class, () -> ModelEncryption.keyFromKeystore(store, "guess".toCharArray(), "gradus-model"));
        assertTrue(wrong.getMessage().contains("wrong password") && !wrong.getMessage().contains("guess"), wrong.getMessage());
        IOException alias = assertThrows(IOException.class, () -> ModelEncryption.keyFromKeystore(store, password, "other"));
        assertTrue(alias.getMessage().contains("has no entry 'other'"), alias.getMessage());
        assertFalse(new ModelProtection(null, key).toString().contains(b64));
    }
}
