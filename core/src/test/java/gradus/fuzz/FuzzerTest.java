package gradus.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradus.data.DataException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The harness itself must catch what it claims to catch; otherwise every fuzz test would pass vacuously. */
class FuzzerTest {
    @Test
    void aParserThatOnlyThrowsItsClearErrorPasses() {
        var result = Fuzzer.of("self-test-clean", input -> {
                    if (input.length % 3 == 0) throw new DataException("length " + input.length + " is a multiple of 3");
                })
                .seed("{\"a\": 12}")
                .expect(DataException.class)
                .iterations(500)
                .run();
        assertEquals(501, result.executed(), "the seed and 500 mutants are all run");
    }

    @Test
    void anEscapingJdkExceptionIsAFinding() {
        AssertionError error = assertThrows(AssertionError.class, () -> Fuzzer.of("self-test-jdk", input -> {
                    int n = Integer.parseInt(new String(input, StandardCharsets.UTF_8).replaceAll("\\D", "0"));
                    if (n < 0) throw new DataException("negative");
                })
                .seed("12")
                .expect(DataException.class)
                .iterations(300)
                .run());
        assertTrue(error.getMessage().contains("NumberFormatException"), error.getMessage());
    }

    @Test
    void anAllocationFarBeyondTheInputIsAFinding() {
        AssertionError error = assertThrows(AssertionError.class, () -> Fuzzer.of("self-test-alloc", input -> {
                    long[] sink = new long[Math.max(0, input.length) * 1000 + (8 << 20)];
                    if (sink.length == 7) throw new DataException("unreachable");
                })
                .seed("abc")
                .iterations(10)
                .allocationLimit(64, 1 << 20)
                .run());
        assertTrue(error.getMessage().contains("allocated"), error.getMessage());
    }

    @Test
    void anErrorIsAFindingEvenWhenItsTypeIsDeclared() {
        AssertionError error = assertThrows(AssertionError.class, () -> Fuzzer.of("self-test-error", input -> {
                    throw new StackOverflowError("deep");
                })
                .seed("x")
                .expect(Throwable.class)
                .iterations(1)
                .run());
        assertTrue(error.getMessage().contains("StackOverflowError"), error.getMessage());
    }
}
