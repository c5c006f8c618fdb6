package gradus.privacy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opacus's own accountant tests (opacus/tests/accountants_test.py at pytorch/opacus 4d0ebc8), to the places it
 * asserts them: assertAlmostEqual's default of 7 decimal places unless it names fewer.
 */
class PrivacyAccountantTest {
    private static final double SEVEN_PLACES = 5e-8;

    private static double epsilon(String mechanism, double sigma, double q, long steps, double delta) {
        PrivacyAccountant a = PrivacyAccountant.create(mechanism);
        a.add(new PrivacyAccountant.Steps(sigma, q, steps));
        return a.epsilon(delta);
    }

    @Test
    void rdpEpsilonOfOpacusTest() {
        // test_rdp_accountant: steps = int(90 / 0.04) = 2250, stepped one at a time
        PrivacyAccountant a = PrivacyAccountant.create("rdp");
        for (int i = 0; i < 2250; i++) a.step(1.5, 0.04);
        assertEquals(1, a.history().size());
        assertEquals(7.32911117143, a.epsilon(1e-5), SEVEN_PLACES);
    }

    @Test
    void prvEpsilonOfOpacusTest() {
        // test_prv_accountant: steps = int(90 // 0.04), and 90 // 0.04 is 2249 in Python (0.04 is a little above 1/25)
        assertEquals(6.777395712150674, epsilon("prv", 1.5, 0.04, 2249, 1e-5), SEVEN_PLACES);
    }

    @Test
    void gdpEpsilonOfOpacusTest() {
        // test_gdp_accountant: 6.59 < ε < 6.6 for 2249 steps
        double eps = epsilon("gdp", 1.5, 0.04, 2249, 1e-5);
        assertTrue(eps > 6.59 && eps < 6.6, "ε = " + eps);
    }

    @Test
    void noiseMultiplierForEpochsAsOpacus() {
        long steps = NoiseMultiplier.stepsForEpochs(90, 0.04);
        assertEquals(2250, steps);
        assertEquals(1.416, NoiseMultiplier.find("rdp", 8, 1e-5, 0.04, steps, 0.01), 5e-5);
        assertEquals(1.34765625, NoiseMultiplier.find("prv", 8, 1e-5, 0.04, steps, 0.01), 5e-5);
        assertEquals(1.3232421875, NoiseMultiplier.find("gdp", 8, 1e-5, 0.04, steps, 0.01), SEVEN_PLACES);
    }

    @Test
    void noiseMultiplierForStepsAsOpacus() {
        assertEquals(1.3562, NoiseMultiplier.find("rdp", 8, 1e-5, 0.04, 2000, 0.01), 5e-5);
        assertEquals(1.2915, NoiseMultiplier.find("prv", 8, 1e-5, 0.04, 2000, 0.01), 5e-5);
    }

    @Test
    void noiseMultiplierNeverOvershootsTheTarget() {
        // test_get_noise_multiplier_overshoot, at a few of the points its hypothesis strategy draws from
        double[][] cases = {{1.0, 10, 1e-4, 1e-6}, {3.3, 37, 5e-3, 1e-5}, {9.9, 100, 0.1, 1e-4}, {5.0, 50, 2e-2, 1e-5}};
        for (double[] c : cases) {
            long steps = NoiseMultiplier.stepsForEpochs(c[1], c[2]);
            double sigma = NoiseMultiplier.find("rdp", c[0], c[3], c[2], steps, 0.01);
            double eps = epsilon("rdp", sigma, c[2], steps, c[3]);
            assertTrue(eps < c[0] && eps > c[0] - 0.01, "ε = " + eps + " for target " + c[0]);
        }
    }

    @Test
    void prvMatchesMicrosoftPrvAccountant() {
        // opacus/tests/prv_accountant.py: values of microsoft/prv_accountant at δ = 1e-6, asserted to 4 places
        double[][] cases = {{0.8, 0.001, 100, 0.270403364058018680360362395731}, {1.5, 0.05, 100, 1.95385313568420015961635272106},
                {3.0, 0.2, 100, 3.38122051022184422208738396876}, {2.0, 0.05, 1000, 4.17279986668931890392286732094},
                {1.5, 0.001, 20000, 0.437005108654860807693154356457}};
        for (double[] c : cases) {
            assertEquals(c[3], epsilon("prv", c[0], c[1], (long) c[2], 1e-6), 5e-5, "σ " + c[0] + ", q " + c[1] + ", steps " + c[2]);
        }
    }

    @Test
    void composesChangingNoiseLikeOneRunOfEachPart() {
        PrivacyAccountant rdp = PrivacyAccountant.create("rdp");
        rdp.add(new PrivacyAccountant.Steps(1.0, 0.01, 500));
        rdp.add(new PrivacyAccountant.Steps(2.0, 0.01, 500));
        assertEquals(2, rdp.history().size());
        double both = rdp.epsilon(1e-5);
        assertTrue(both > epsilon("rdp", 2.0, 0.01, 1000, 1e-5) && both < epsilon("rdp", 1.0, 0.01, 1000, 1e-5));
        PrivacyAccountant prv = PrivacyAccountant.create("prv");
        prv.add(new PrivacyAccountant.Steps(1.0, 0.01, 500));
        prv.add(new PrivacyAccountant.Steps(2.0, 0.01, 500));
        double prvBoth = prv.epsilon(1e-5);
        assertTrue(prvBoth < both && prvBoth > epsilon("prv", 2.0, 0.01, 1000, 1e-5), "PRV ε " + prvBoth + ", RDP ε " + both);
    }

    @Test
    void refusesBadInput() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PrivacyAccountant.create("moments")).getMessage().contains("rdp, prv or gdp"));
        assertThrows(IllegalArgumentException.class, () -> new PrivacyAccountant.Steps(1, 1.5, 10));
        assertThrows(IllegalArgumentException.class, () -> PrivacyAccountant.create("rdp").epsilon(0));
        PrivacyAccountant gdp = PrivacyAccountant.create("gdp");
        gdp.step(1, 0.1);
        assertThrows(IllegalArgumentException.class, () -> gdp.step(2, 0.1));
        assertEquals(0, PrivacyAccountant.create("prv").epsilon(1e-5));
    }
}
