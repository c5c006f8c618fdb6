package gradus.federated;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Map;

/**
 * Shamir's t-of-n secret sharing over the prime field GF(2^521 − 1): a secret of up to 64 bytes becomes a random
 * polynomial of degree t − 1 with the secret as constant term; share i is its value at x = i (i ≥ 1). Any t shares
 * give the secret by Lagrange interpolation at 0; fewer reveal nothing about it.
 */
public final class Shamir {
    static final BigInteger P = BigInteger.TWO.pow(521).subtract(BigInteger.ONE);

    private Shamir() {}

    /** Shares at x = 1..n; {@code secret} is read as an unsigned big-endian number. */
    public static BigInteger[] split(byte[] secret, int threshold, int n, SecureRandom random) {
        if (threshold < 1 || threshold > n) throw new IllegalArgumentException("threshold " + threshold + " must be in 1.." + n);
        if (secret.length > 64) throw new IllegalArgumentException("secret of " + secret.length + " bytes is longer than 64");
        BigInteger[] coefficients = new BigInteger[threshold];
        coefficients[0] = new BigInteger(1, secret);
        for (int i = 1; i < threshold; i++) coefficients[i] = new BigInteger(521, random).mod(P);
        BigInteger[] shares = new BigInteger[n];
        for (int x = 1; x <= n; x++) {
            BigInteger y = BigInteger.ZERO, bx = BigInteger.valueOf(x);
            for (int i = threshold - 1; i >= 0; i--) y = y.multiply(bx).add(coefficients[i]).mod(P); // Horner
            shares[x - 1] = y;
        }
        return shares;
    }

    /** The secret from shares keyed by x; {@code length} bytes, big-endian. Needs at least the threshold's count. */
    public static byte[] combine(Map<Integer, BigInteger> shares, int length) {
        if (shares.isEmpty()) throw new IllegalArgumentException("no shares to combine");
        BigInteger secret = BigInteger.ZERO;
        for (var i : shares.entrySet()) {
            BigInteger num = BigInteger.ONE, den = BigInteger.ONE, xi = BigInteger.valueOf(i.getKey());
            for (int xj : shares.keySet()) {
                if (xj == i.getKey()) continue;
                num = num.multiply(BigInteger.valueOf(-xj)).mod(P);
                den = den.multiply(xi.subtract(BigInteger.valueOf(xj))).mod(P);
            }
            secret = secret.add(i.getValue().multiply(num).multiply(den.modInverse(P))).mod(P);
        }
        byte[] raw = secret.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(length, raw.length);
        if (raw.length - copy > 1 || (raw.length > length && raw[0] != 0)) {
            throw new IllegalArgumentException("shares do not combine to a " + length + "-byte secret (too few or corrupted shares)");
        }
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }
}
