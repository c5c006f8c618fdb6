package gradus.federated;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The masks of secure aggregation: a seed is expanded by HKDF-SHA256 (RFC 5869) into a key for the round, and that
 * key into a stream of 64-bit words by AES-256 in counter mode (a CSPRNG). The same seed and round give the same
 * stream on every side, so masks that one client adds another subtracts.
 */
public final class MaskStream {
    private MaskStream() {}

    /** {@code n} pseudorandom words from {@code seed} for {@code label} (purpose and round). */
    public static long[] words(byte[] seed, String label, int n) {
        try {
            byte[] key = hkdf(seed, label, 32);
            Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
            ByteBuffer stream = ByteBuffer.wrap(aes.doFinal(new byte[Math.multiplyExact(n, 8)]));
            long[] out = new long[n];
            for (int i = 0; i < n; i++) out[i] = stream.getLong();
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR is not available in this JDK", e);
        }
    }

    /** HKDF-SHA256 with an all-zero salt: extract then expand to {@code length} bytes. */
    static byte[] hkdf(byte[] inputKey, String info, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
            byte[] prk = mac.doFinal(inputKey);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] out = new byte[length];
            byte[] block = new byte[0];
            for (int done = 0, i = 1; done < length; i++) {
                mac.update(block);
                mac.update(info.getBytes(StandardCharsets.UTF_8));
                mac.update((byte) i);
                block = mac.doFinal();
                int take = Math.min(block.length, length - done);
                System.arraycopy(block, 0, out, done, take);
                done += take;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
