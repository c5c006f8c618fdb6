package gradus.serve;

import gradus.io.ModelDirectory;
import gradus.io.ModelSignature;
import gradus.io.TrustedKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static gradus.serve.ModelLoadingTest.entry;
import static gradus.serve.ModelLoadingTest.saveWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `gradus serve --require-signed --trusted-keys DIR` serves only unchanged models signed by a trusted key; `--model-key-file` serves encrypted ones. */
class ProtectedModelsTest {
    @Test
    void onlyUnchangedModelsSignedByATrustedKeyAreServed(@TempDir Path tmp) throws Exception {
        Path models = tmp.resolve("models"), keys = tmp.resolve("keys"), stranger = tmp.resolve("stranger"), trusted = tmp.resolve("trusted");
        ModelSignature.generateKeys(keys);
        ModelSignature.generateKeys(stranger);
        Files.createDirectories(trusted);
        Files.copy(keys.resolve(ModelSignature.PUBLIC_KEY_FILE), trusted.resolve("release.pem"));
        Path key = keys.resolve(ModelSignature.PRIVATE_KEY_FILE);
        for (String name : new String[]{"signed", "tampered", "unsigned", "untrusted"}) saveWith(models.resolve(name + "/1"), 1, Map.of());
        ModelSignature.sign(models.resolve("signed/1"), key);
        ModelSignature.sign(models.resolve("tampered/1"), key);
        ModelSignature.sign(models.resolve("untrusted/1"), stranger.resolve(ModelSignature.PRIVATE_KEY_FILE));
        Path weights = models.resolve("tampered/1").resolve(ModelDirectory.WEIGHTS_FILE);
        byte[] b = Files.readAllBytes(weights);
        b[b.length / 2] ^= 1;
        Files.write(weights, b);

        try (ModelRepository repo = new ModelRepository(models, 8, Duration.ZERO, Duration.ZERO, (m, n) -> {}, gradus.io.ModelProtection.signedBy(TrustedKeys.load(trusted)))) {
            assertEquals("READY", entry(repo, "signed", "1").state(), entry(repo, "signed", "1").reason());
            var tampered = entry(repo, "tampered", "1");
            assertEquals("UNAVAILABLE", tampered.state());
            assertTrue(tampered.reason().contains("changed after signing: model.safetensors has other content"), tampered.reason());
            assertTrue(entry(repo, "unsigned", "1").reason().contains("not signed"), entry(repo, "unsigned", "1").reason());
            assertTrue(entry(repo, "untrusted", "1").reason().contains("not among the trusted keys"), entry(repo, "untrusted", "1").reason());
        }
        // without --require-signed every model but the tampered one loads: a signature is still checked for changes
        try (ModelRepository repo = new ModelRepository(models, 8, Duration.ZERO, Duration.ZERO, (m, n) -> {})) {
            for (String name : new String[]{"signed", "unsigned", "untrusted"}) assertEquals("READY", entry(repo, name, "1").state(), name);
            assertEquals("UNAVAILABLE", entry(repo, "tampered", "1").state());
        }
    }

    @Test
    void encryptedModelsAreServedGivenTheirKey(@TempDir Path tmp) throws Exception {
        Path models = tmp.resolve("models");
        saveWith(models.resolve("secret/1"), 1, Map.of());
        javax.crypto.SecretKey key = gradus.io.ModelEncryption.generateKey();
        gradus.io.ModelEncryption.encrypt(models.resolve("secret/1"), key);
        try (ModelRepository repo = new ModelRepository(models, 8, Duration.ZERO, Duration.ZERO, (m, n) -> {}, gradus.io.ModelProtection.NONE.withKey(key))) {
            assertEquals("READY", entry(repo, "secret", "1").state(), entry(repo, "secret", "1").reason());
        }
        try (ModelRepository repo = new ModelRepository(models, 8, Duration.ZERO, Duration.ZERO, (m, n) -> {})) {
            var e = entry(repo, "secret", "1");
            assertEquals("UNAVAILABLE", e.state());
            assertTrue(e.reason().contains("config.json: is encrypted"), e.reason());
        }
    }

    @Test
    void encryptedTextModelsAreServedGivenTheirKey(@TempDir Path tmp) throws Exception {
        Path models = tmp.resolve("models");
        var words = gradus.text.WordTokenizer.train(java.util.List.of("the whale swam", "call me ishmael"), 50);
        var bert = new gradus.models.Bert(gradus.models.BertConfig.of(words.vocabSize(), 8, 1, 2, 16).withDropout(0f));
        new gradus.models.SentenceEmbedder(bert, words).save(models.resolve("encoder"));
        float[][] plain = gradus.models.SentenceEmbedder.load(models.resolve("encoder")).embed(java.util.List.of("the whale"));
        javax.crypto.SecretKey key = gradus.io.ModelEncryption.generateKey();
        gradus.io.ModelEncryption.encrypt(models.resolve("encoder"), key);

        var text = gradus.serve.text.SavedTextModels.load(models, new gradus.serve.text.TextModels(), gradus.io.ModelProtection.NONE.withKey(key));
        assertEquals(java.util.List.of("encoder"), java.util.List.copyOf(text.embedderNames()));
        org.junit.jupiter.api.Assertions.assertArrayEquals(plain[0], text.embedder("encoder").embed(java.util.List.of("the whale"))[0]);
        assertTrue(gradus.serve.text.SavedTextModels.load(models, new gradus.serve.text.TextModels()).embedderNames().isEmpty(), "not without the key");
    }
}
