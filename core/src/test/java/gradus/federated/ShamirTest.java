package gradus.federated;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ShamirTest {
    @Test
    void anyThresholdSharesRecoverTheSecretFewerDoNot() {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        secret[0] = 0; // a leading zero byte must survive the round trip
        BigInteger[] shares = Shamir.split(secret, 3, 5, random);
        for (int[] pick : new int[][]{{1, 2, 3}, {2, 4, 5}, {1, 3, 5}, {1, 2, 3, 4, 5}}) {
            Map<Integer, BigInteger> some = new TreeMap<>();
            for (int x : pick) some.put(x, shares[x - 1]);
            assertArrayEquals(secret, Shamir.combine(some, 32));
        }
        Map<Integer, BigInteger> two = new TreeMap<>(Map.of(1, shares[0], 4, shares[3]));
        byte[] wrong;
        try {
            wrong = Shamir.combine(two, 32);
        } catch (IllegalArgumentException e) {
            return; // the degree-1 interpolation fell outside 32 bytes: also a refusal
        }
        assertFalse(java.util.Arrays.equals(secret, wrong));
    }
}
