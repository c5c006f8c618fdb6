package gradus.privacy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reference values of erfc to 30 digits (mpmath), to about the double's relative precision; the asymptotic series beyond underflow. */
class NormalTest {
    @Test
    void erfcAcrossItsRange() {
        assertEquals(0.479500122186953462317253346108, Normal.erfc(0.5), 1e-15);
        assertEquals(0.157299207050285130658779364917, Normal.erfc(1), 1e-15);
        assertEquals(0.00467773498104726583793074363275, Normal.erfc(2), 1e-17);
        assertEquals(2.20904969985854413727761295823e-5, Normal.erfc(3), 1e-19);
        assertEquals(4.1838256077794143986140102239e-23, Normal.erfc(7), 1e-37);
        assertEquals(1.84270079294971486934122063508, Normal.erfc(-1), 1e-15);
    }

    @Test
    void logErfcBeyondUnderflow() {
        // log(erfc(30)) = -900 - log(30·√π) + log(1 - 1/1800 + …) ≈ -903.97...
        assertEquals(Math.log(Normal.erfc(10)), Normal.logErfc(10), 1e-12);
        double x = 30, series = 1 - 1 / (2 * x * x) + 3 / (4 * Math.pow(x, 4)) - 15 / (8 * Math.pow(x, 6)) + 105 / (16 * Math.pow(x, 8));
        assertEquals(-x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log(series), Normal.logErfc(x), 1e-12);
    }

    @Test
    void cdfIsTheNormalDistribution() {
        assertEquals(0.5, Normal.cdf(0), 0);
        assertEquals(0.841344746068542948585232545632, Normal.cdf(1), 1e-15);
        assertEquals(1.3498980316300945e-3, Normal.cdf(-3), 1e-18);
    }
}
