package gradus.config;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 13, item 14: Config's integers are exact and in range, never wrapped or clamped, and errors name the key. */
class ConfigNumbersTest {
    private static Config config(Object value) {
        return new Config("model.layers[0]", Map.of("in", value));
    }

    @Test
    void aLongThatWouldWrapIsRefused() {
        var e = assertThrows(ConfigException.class, () -> config(4294968080L).getInt("in"));
        assertTrue(e.getMessage().contains("'in'") && e.getMessage().contains("model.layers[0]") && e.getMessage().contains("4294968080"), e.getMessage());
    }

    @Test
    void aDoubleBeyondIntRangeIsRefusedNotClamped() {
        var e = assertThrows(ConfigException.class, () -> new Config("training", Map.of("batch_size", 1e12)).getInt("batch_size"));
        assertTrue(e.getMessage().contains("'batch_size'") && e.getMessage().contains("training"), e.getMessage());
    }

    @Test
    void fractionsHugeIntegersAndOtherTypesAreRefused() {
        for (Object bad : List.of(1.5, BigInteger.TEN.pow(30), Double.NaN, Double.POSITIVE_INFINITY, true, "12x", List.of(1))) {
            assertThrows(ConfigException.class, () -> config(bad).getInt("in"), String.valueOf(bad));
        }
    }

    @Test
    void exactIntegersOfAnyTypeAreRead() {
        assertEquals(784, config(784).getInt("in"));
        assertEquals(784, config(784L).getInt("in"));
        assertEquals(784, config(784.0).getInt("in"));
        assertEquals(-3, config(" -3 ").getInt("in"));
        assertEquals(Integer.MAX_VALUE, config((long) Integer.MAX_VALUE).getInt("in"));
    }

    @Test
    void integerListsAreExactToo() {
        var e = assertThrows(ConfigException.class, () -> new Config("c", Map.of("kernel", List.of(3, 4294967299L))).getIntArray("kernel", null));
        assertTrue(e.getMessage().contains("kernel[1]"), e.getMessage());
        assertArrayEquals(new int[]{3, 3}, new Config("c", Map.of("kernel", List.of(3, 3.0))).getIntArray("kernel", null));
    }

    @Test
    void aRangeIsCheckedWithTheBoundsNamed() {
        var e = assertThrows(ConfigException.class, () -> config(0).getInt("in", 1, 100));
        assertTrue(e.getMessage().contains("1..100"), e.getMessage());
        assertEquals(5, config(5).getInt("in", 1, 100));
    }
}
