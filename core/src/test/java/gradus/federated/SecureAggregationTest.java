package gradus.federated;

import gradus.federated.SecureAggregation.Masked;
import gradus.federated.SecureAggregation.Share;
import gradus.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecureAggregationTest {
    private static List<ClientUpdate> updates(int n, int d, long seed) {
        Rng rng = new Rng(seed);
        List<ClientUpdate> out = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            float[] delta = new float[d];
            rng.normal(delta, 0, 0.1f);
            out.add(new ClientUpdate("client-" + c, delta, 50 + 37 * c));
        }
        return out;
    }

    private static double[] plainWeightedSum(List<ClientUpdate> us) {
        double[] s = new double[us.get(0).delta().length];
        for (ClientUpdate u : us) for (int i = 0; i < s.length; i++) s[i] += (double) u.examples() * u.delta()[i];
        return s;
    }

    @Test
    void sumEqualsPlainAggregationWithinQuantizationError() {
        var us = updates(6, 2000, 1);
        var sum = SecureAggregation.simulate(us, List.of(), true, 0);
        double[] plain = plainWeightedSum(us);
        assertEquals(us.stream().mapToLong(ClientUpdate::examples).sum(), sum.examples());
        double worst = 0;
        for (int i = 0; i < plain.length; i++) {
            // fixed-point rounding plus the float rounding of each weighted value and of the decoded sum
            double bound = FixedPoint.sumError(6) + 6 * Math.ulp((float) Math.abs(plain[i]) + 40f);
            worst = Math.max(worst, Math.abs(sum.sum()[i] - plain[i]) / bound);
        }
        assertTrue(worst <= 1, "error exceeds the quantization bound by " + worst);
        // and FedAvg from the sum equals FedAvg from the updates
        float[] fromSum = new float[plain.length];
        for (int i = 0; i < plain.length; i++) fromSum[i] = sum.sum()[i] / sum.examples();
        float[] avg = Aggregator.fedAvg().aggregate(us);
        for (int i = 0; i < avg.length; i++) assertEquals(avg[i], fromSum[i], 1e-6);
    }

    @Test
    void theSumSurvivesAClientThatDropsAfterSharingItsKeys() {
        var us = updates(5, 500, 2);
        var sum = SecureAggregation.simulate(us, List.of("client-2"), true, 7);
        double[] plain = plainWeightedSum(List.of(us.get(0), us.get(1), us.get(3), us.get(4)));
        for (int i = 0; i < plain.length; i++) assertEquals(plain[i], sum.sum()[i], 1e-4, "coordinate " + i);
        assertEquals(us.stream().mapToLong(ClientUpdate::examples).sum() - us.get(2).examples(), sum.examples());
        // with two of five dropping, three survive: still the threshold of 3
        var two = SecureAggregation.simulate(us, List.of("client-0", "client-4"), true, 8);
        double[] plain3 = plainWeightedSum(List.of(us.get(1), us.get(2), us.get(3)));
        for (int i = 0; i < plain3.length; i++) assertEquals(plain3[i], two.sum()[i], 1e-4);
        // three dropping leaves two, under the threshold: no sum
        assertNull(SecureAggregation.simulate(us, List.of("client-0", "client-1", "client-4"), true, 9));
    }

    @Test
    void aSingleMaskedUpdateLooksLikeUniformNoise() {
        int d = 8192;
        float[] structured = new float[d]; // zeros and a ramp: the plain encoding is far from uniform
        for (int i = 0; i < d; i++) structured[i] = (i % 2 == 0) ? 0 : i * 1e-4f;
        SecureRandom random = new SecureRandom();
        int t = 2;
        var a = new SecAggClient(1, t, 0, structured, random);
        var b = new SecAggClient(2, t, 0, new float[d], random);
        var c = new SecAggClient(3, t, 0, new float[d], random);
        var server = new SecAggServer(d, t, 0);
        for (var cl : List.of(a, b, c)) server.receiveKeys(cl.advertise());
        for (var cl : List.of(a, b, c)) server.receiveShares(cl.shareKeys(server.keys()));
        Masked masked = a.mask(server.sharesFor(1));

        long[] plain = FixedPoint.encode(structured);
        // the test can fail: the plain encoding is rejected by it
        assertTrue(chiSquare(plain, 56) > 1000, "the plain input should fail the uniformity test");
        assertTrue(chiSquare(plain, 0) > 1000, "the plain input should fail the uniformity test");
        // 255 degrees of freedom: the 99.99th percentile is about 347
        for (int shift : new int[]{0, 24, 56}) {
            double chi = chiSquare(masked.values(), shift);
            assertTrue(chi < 347, "byte at bit " + shift + " of the masked update is not uniform: chi² = " + chi);
        }
        double ones = 0;
        for (long v : masked.values()) ones += Long.bitCount(v);
        double perBit = ones / (64.0 * d);
        assertEquals(0.5, perBit, 4 * Math.sqrt(0.25 / (64.0 * d)), "fraction of one bits");
    }

    @Test
    void anAlteredShareIsRefusedNamingTheClients() {
        SecureRandom random = new SecureRandom();
        var a = new SecAggClient(1, 2, 0, new float[4], random);
        var b = new SecAggClient(2, 2, 0, new float[4], random);
        var server = new SecAggServer(4, 2, 0);
        server.receiveKeys(a.advertise());
        server.receiveKeys(b.advertise());
        List<Share> fromA = a.shareKeys(server.keys());
        b.shareKeys(server.keys());
        Share s = fromA.get(0);
        byte[] bad = s.ciphertext().clone();
        bad[bad.length - 1] ^= 1;
        var e = assertThrows(IllegalArgumentException.class, () -> b.mask(List.of(new Share(1, 2, bad))));
        assertTrue(e.getMessage().contains("from client 1 to client 2"), e.getMessage());
    }

    /** Pearson's chi² of the byte at bit {@code shift} over 256 equally likely values. */
    private static double chiSquare(long[] values, int shift) {
        long[] counts = new long[256];
        for (long v : values) counts[(int) ((v >>> shift) & 0xFF)]++;
        double expected = values.length / 256.0, chi = 0;
        for (long c : counts) chi += (c - expected) * (c - expected) / expected;
        return chi;
    }
}
