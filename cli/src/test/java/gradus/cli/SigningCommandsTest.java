package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.nn.Linear;
import gradus.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `gradus keygen`, `sign`, `verify`, `encrypt`, `decrypt`, and `gradus serve` refusing --require-signed without keys. */
class SigningCommandsTest {
    @Test
    void keygenSignVerify(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model"), keys = tmp.resolve("keys"), trusted = Files.createDirectories(tmp.resolve("trusted"));
        ModelDirectory.save(model, new Sequential(new Linear(3, 2)), Map.of());
        var keygen = CliTest.cli("keygen", "--out", keys.toString());
        assertEquals(0, keygen.code(), keygen.err());
        assertTrue(keygen.out().contains("signing-key.pub.pem (public, SHA256:"), keygen.out());
        var again = CliTest.cli("keygen", "--out", keys.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("exists already"), again.err());

        var unsigned = CliTest.cli("verify", model.toString(), "--trusted-keys", trusted.toString());
        assertEquals(1, unsigned.code());
        assertTrue(unsigned.err().contains("no public keys (*.pem) to trust"), unsigned.err());
        Files.copy(keys.resolve("signing-key.pub.pem"), trusted.resolve("me.pem"));
        unsigned = CliTest.cli("verify", model.toString(), "--trusted-keys", trusted.toString());
        assertEquals(1, unsigned.code());
        assertTrue(unsigned.err().contains("not signed"), unsigned.err());

        var sign = CliTest.cli("sign", model.toString(), "--key", keys.resolve("signing-key.pem").toString());
        assertEquals(0, sign.code(), sign.err());
        assertTrue(sign.out().contains("model.safetensors, config.json"), sign.out());
        var verify = CliTest.cli("verify", model.toString(), "--trusted-keys", trusted.toString());
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().contains("signed by me.pem"), verify.out());

        Path config = model.resolve("config.json");
        Files.writeString(config, Files.readString(config) + " "); // still valid JSON, still the same model
        var tampered = CliTest.cli("verify", model.toString(), "--trusted-keys", trusted.toString());
        assertEquals(1, tampered.code());
        assertTrue(tampered.err().contains("changed after signing: config.json"), tampered.err());
    }

    @Test
    void serveNeedsTrustedKeysToRequireSignatures(@TempDir Path tmp) {
        var run = CliTest.cli("serve", "--models", tmp.toString(), "--require-signed");
        assertEquals(1, run.code());
        assertTrue(run.err().contains("--require-signed and --trusted-keys DIR go together"), run.err());
    }

    @Test
    void encryptAndDecryptWithAKeyFile(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model"), keyFile = tmp.resolve("model.key");
        ModelDirectory.save(model, new Sequential(new Linear(3, 2)), Map.of());
        byte[] weights = Files.readAllBytes(model.resolve("model.safetensors"));
        var missing = CliTest.cli("encrypt", model.toString(), "--model-key-file", keyFile.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("key file not found (create one with: head -c 32 /dev/urandom | base64 > FILE)"), missing.err());
        String key = java.util.Base64.getEncoder().encodeToString(gradus.io.ModelEncryption.generateKey().getEncoded());
        Files.writeString(keyFile, key + "\n");
        var enc = CliTest.cli("encrypt", model.toString(), "--model-key-file", keyFile.toString());
        assertEquals(0, enc.code(), enc.err());
        assertTrue(enc.out().contains("config.json, manifest.json, model.safetensors"), enc.out());
        var info = CliTest.cli("info", model.toString());
        assertEquals(1, info.code());
        assertTrue(info.err().contains("config.json: is encrypted (gradus encrypt)"), info.err());
        var wrong = CliTest.cli("decrypt", model.toString(), "--model-key-file", keyFile.toString(), "--model-key-env", "HOME");
        assertTrue(wrong.err().contains("give one of --model-key-file, --model-key-env and --model-keystore"), wrong.err());
        var dec = CliTest.cli("decrypt", model.toString(), "--model-key-file", keyFile.toString());
        assertEquals(0, dec.code(), dec.err());
        assertFalse(dec.out().contains(key) || dec.err().contains(key) || enc.out().contains(key));
        org.junit.jupiter.api.Assertions.assertArrayEquals(weights, Files.readAllBytes(model.resolve("model.safetensors")));
    }
}
