package gradus.io;

import javax.crypto.SecretKey;

/**
 * What a loader demands of a model directory beyond its manifest: a signature by one of {@code trustedKeys} (null:
 * none required, though a signed directory must still match its signature) and decryption with {@code key} (null:
 * the directory is not encrypted).
 */
public record ModelProtection(TrustedKeys trustedKeys, SecretKey key) {
    public static final ModelProtection NONE = new ModelProtection(null, null);

    public static ModelProtection signedBy(TrustedKeys keys) {
        return new ModelProtection(keys, null);
    }

    public ModelProtection withKey(SecretKey k) {
        return new ModelProtection(trustedKeys, k);
    }

    /** Says which protections are on and never shows the key. */
    @Override
    public String toString() {
        return "ModelProtection[" + (trustedKeys == null ? "signatures not required" : "signed by a key in " + trustedKeys.dir())
                + ", " + (key == null ? "not encrypted" : "encrypted") + "]";
    }
}
