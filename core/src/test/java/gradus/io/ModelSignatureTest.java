package gradus.io;

import gradus.files.FileFormatException;
import gradus.nn.Linear;
import gradus.nn.Sequential;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Signed model directories: every byte of every file is covered, keys must be trusted, unsigned models are refused where signing is required. */
class ModelSignatureTest {
    @TempDir
    Path tmp;
    Path model, keys, trustedDir;
    TrustedKeys trusted;

    @BeforeEach
    void signedModel() throws IOException {
        model = tmp.resolve("model");
        ModelDirectory.save(model, new Sequential(new Linear(4, 3)), Map.of("input_shape", List.of(4)));
        Files.writeString(model.resolve(ModelDirectory.TOKENIZER_FILE), "{\"added\": \"beside the save\"}"); // not in the save's manifest
        keys = tmp.resolve("keys");
        ModelSignature.generateKeys(keys);
        trustedDir = Files.createDirectories(tmp.resolve("trusted"));
        Files.copy(keys.resolve(ModelSignature.PUBLIC_KEY_FILE), trustedDir.resolve("alice.pem"));
        trusted = TrustedKeys.load(trustedDir);
        List<String> signed = ModelSignature.sign(model, keys.resolve(ModelSignature.PRIVATE_KEY_FILE));
        assertEquals(List.of("model.safetensors", "config.json", "tokenizer.json"), signed);
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSignedModelLoadsWithItsKeyTrusted() throws IOException {
        assertEquals(List.of("config.json", "manifest.json", "manifest.sig", "model.safetensors", "tokenizer.json"), files(model));
        ModelSignature.Signer signer = ModelSignature.verify(model, trusted);
        assertEquals("alice.pem", signer.trustedKeyFile());
        assertTrue(signer.fingerprint().matches("SHA256:[0-9a-f]{64}"), signer.fingerprint());
        assertNotNull(ModelDirectory.load(model, ModelProtection.signedBy(trusted)).model());
        assertNotNull(ModelDirectory.load(model).model());
    }

    /**
     * Every byte of the signature file (whose base64 and JSON a lenient parser could read past), and the first,
     * middle and last byte of the others (SHA-256 and the signature cover all their bytes alike).
     */
    @Test
    void flippingAByteOfAnyFileFailsTheLoadNamingThatFile() throws IOException {
        for (String name : files(model)) {
            Path file = model.resolve(name);
            byte[] original = Files.readAllBytes(file);
            int[] positions = name.equals(ModelSignature.SIGNATURE_FILE)
                    ? java.util.stream.IntStream.range(0, original.length).toArray()
                    : new int[]{0, original.length / 2, original.length - 1};
            for (int i : positions) {
                byte[] changed = original.clone();
                changed[i] ^= 1;
                Files.write(file, changed);
                String where = name + " byte " + i;
                IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(model, ModelProtection.signedBy(trusted)), where);
                assertTrue(e.getMessage().contains(name), where + ": " + e.getMessage());
                if (i == positions[0]) assertThrows(IOException.class, () -> ModelDirectory.load(model), where + " without trusted keys");
            }
            Files.write(file, original);
        }
        assertNotNull(ModelDirectory.load(model, ModelProtection.signedBy(trusted)).model());
    }

    /** A base64 signature's last character has 4 bits the decoder ignores: setting one leaves the bytes alike, and is refused all the same. */
    @Test
    void aSignatureSpelledOtherwiseIsRefused() throws IOException {
        Path sig = model.resolve(ModelSignature.SIGNATURE_FILE);
        String json = Files.readString(sig);
        int end = json.indexOf("==\"", json.indexOf("\"signature\""));
        char last = json.charAt(end - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char sameBytes = alphabet.charAt(alphabet.indexOf(last) + 1); // canonical encodings end in a multiple of 16
        Files.writeString(sig, json.substring(0, end - 1) + sameBytes + json.substring(end));
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(model, ModelProtection.signedBy(trusted)));
        assertTrue(e.getMessage().contains("manifest.sig: signature is not canonical base64"), e.getMessage());
    }

    @Test
    void anUntrustedKeyIsRefused() throws IOException {
        Path other = tmp.resolve("other");
        ModelSignature.generateKeys(other);
        Path otherTrusted = Files.createDirectories(tmp.resolve("other-trusted"));
        Files.copy(other.resolve(ModelSignature.PUBLIC_KEY_FILE), otherTrusted.resolve("bob.pem"));
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(model, ModelProtection.signedBy(TrustedKeys.load(otherTrusted))));
        assertTrue(e.getMessage().contains("manifest.sig: signed by key SHA256:") && e.getMessage().contains("not among the trusted keys"), e.getMessage());

        // re-signed by the other key: the signature is valid, and still not trusted here
        ModelSignature.sign(model, other.resolve(ModelSignature.PRIVATE_KEY_FILE));
        assertThrows(FileFormatException.class, () -> ModelDirectory.load(model, ModelProtection.signedBy(trusted)));
        assertNotNull(ModelDirectory.load(model, ModelProtection.signedBy(TrustedKeys.load(otherTrusted))).model());
    }

    @Test
    void unsignedModelsAreRefusedWhereSignaturesAreRequired() throws IOException {
        Path plain = tmp.resolve("plain");
        ModelDirectory.save(plain, new Sequential(new Linear(2, 2)), Map.of());
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(plain, ModelProtection.signedBy(trusted)));
        assertTrue(e.getMessage().contains("not signed (no manifest.sig)"), e.getMessage());
        assertNotNull(ModelDirectory.load(plain).model());

        // deleting the signature of a signed model makes it unsigned, which is refused in the same way
        Files.delete(model.resolve(ModelSignature.SIGNATURE_FILE));
        assertTrue(assertThrows(IOException.class, () -> ModelDirectory.load(model, ModelProtection.signedBy(trusted))).getMessage().contains("not signed"));
    }

    @Test
    void filesAddedOrRemovedAfterSigningAreRefused() throws IOException {
        Files.writeString(model.resolve("extra.bin"), "x");
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(model, ModelProtection.signedBy(trusted)));
        assertTrue(e.getMessage().contains("extra.bin: is not in the signed manifest"), e.getMessage());
        Files.delete(model.resolve("extra.bin"));
        Files.delete(model.resolve(ModelDirectory.TOKENIZER_FILE));
        e = assertThrows(IOException.class, () -> ModelDirectory.load(model, ModelProtection.signedBy(trusted)));
        assertTrue(e.getMessage().contains("changed after signing: tokenizer.json is missing"), e.getMessage());
    }

    @Test
    void aNewSaveRemovesTheVoidSignatureAndKeepsTheFilesBesideIt() throws IOException {
        ModelDirectory.save(model, new Sequential(new Linear(4, 3)), Map.of("input_shape", List.of(4)));
        assertFalse(ModelSignature.isSigned(model));
        assertTrue(Files.isRegularFile(model.resolve(ModelDirectory.TOKENIZER_FILE)), "a file sealed in beside the save is kept (a checkpoint writes its tokenizer first)");
        assertTrue(assertThrows(IOException.class, () -> ModelDirectory.load(model, ModelProtection.signedBy(trusted))).getMessage().contains("not signed"));
    }

    @Test
    void signingATamperedSetIsRefused() throws IOException {
        Path w = model.resolve(ModelDirectory.WEIGHTS_FILE);
        byte[] b = Files.readAllBytes(w);
        b[b.length - 1] ^= 1;
        Files.write(w, b);
        IOException e = assertThrows(IOException.class, () -> ModelSignature.sign(model, keys.resolve(ModelSignature.PRIVATE_KEY_FILE)));
        assertTrue(e.getMessage().contains("model.safetensors has other content"), e.getMessage());
    }

    @Test
    void keyFilesAreCheckedAndNeverOverwritten() throws IOException {
        assertTrue(assertThrows(IOException.class, () -> ModelSignature.generateKeys(keys)).getMessage().contains("exists already"));
        Path wrong = Files.createDirectories(tmp.resolve("wrong"));
        Files.copy(keys.resolve(ModelSignature.PRIVATE_KEY_FILE), wrong.resolve("oops.pem"));
        IOException e = assertThrows(IOException.class, () -> TrustedKeys.load(wrong));
        assertTrue(e.getMessage().contains("oops.pem: holds a private key"), e.getMessage());
        Path publicOnly = keys.resolve(ModelSignature.PUBLIC_KEY_FILE);
        e = assertThrows(IOException.class, () -> ModelSignature.sign(model, publicOnly));
        assertTrue(e.getMessage().contains("has no PRIVATE KEY block"), e.getMessage());
        String pem = Files.readString(keys.resolve(ModelSignature.PRIVATE_KEY_FILE));
        assertFalse(e.getMessage().contains(pem.substring(30, 60)), "no key material in errors");
    }
}
