package gradus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `gradus privacy-accountant --json` gives Opacus's test values (see gradus.privacy.PrivacyAccountantTest for their source). */
class PrivacyAccountantCommandTest {
    private static JsonNode json(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "privacy-accountant";
        System.arraycopy(args, 0, all, 1, args.length);
        all[all.length - 1] = "--json";
        var run = CliTest.cli(all);
        assertEquals(0, run.code(), run.err());
        return new ObjectMapper().readTree(run.out());
    }

    @Test
    void printsEpsilonOfEachAccountant() throws Exception {
        JsonNode rdp = json("--noise-multiplier", "1.5", "--sample-rate", "0.04", "--epochs", "90", "--delta", "1e-5");
        assertEquals("rdp", rdp.get("accountant").asText());
        assertEquals(2250, rdp.get("steps").asLong());
        assertEquals(7.32911117143, rdp.get("epsilon").asDouble(), 5e-8);
        JsonNode prv = json("--noise-multiplier", "1.5", "--sample-rate", "0.04", "--steps", "2249", "--delta", "1e-5", "--accountant", "prv");
        assertEquals(6.777395712150674, prv.get("epsilon").asDouble(), 5e-8);
        double gdp = json("--noise-multiplier", "1.5", "--sample-rate", "0.04", "--steps", "2249", "--delta", "1e-5", "--accountant", "GDP").get("epsilon").asDouble();
        assertTrue(gdp > 6.59 && gdp < 6.6, "GDP ε " + gdp);
    }

    @Test
    void findsTheNoiseMultiplierForATarget() throws Exception {
        JsonNode r = json("--target-epsilon", "8", "--sample-rate", "0.04", "--steps", "2000", "--delta", "1e-5");
        assertEquals(1.3562, r.get("noise_multiplier").asDouble(), 5e-5);
        assertTrue(r.get("epsilon").asDouble() <= 8 && r.get("epsilon").asDouble() > 7.99, r.toString());
        assertEquals(8, r.get("target_epsilon").asDouble());
    }

    @Test
    void plainOutputAndClearErrors() {
        var plain = CliTest.cli("privacy-accountant", "--noise-multiplier", "1.5", "--sample-rate", "0.04", "--steps", "2250", "--delta", "1e-5");
        assertEquals(0, plain.code(), plain.err());
        assertTrue(plain.out().startsWith("ε = 7.3291 for δ = 1.0E-5 over 2250 steps"), plain.out());
        var both = CliTest.cli("privacy-accountant", "--noise-multiplier", "1", "--sample-rate", "0.04", "--steps", "10", "--epochs", "1", "--delta", "1e-5");
        assertEquals(1, both.code());
        assertTrue(both.err().contains("either --steps N or --epochs E"), both.err());
        var unknown = CliTest.cli("privacy-accountant", "--noise-multiplier", "1", "--sample-rate", "0.04", "--steps", "10", "--delta", "1e-5", "--accountant", "moments");
        assertTrue(unknown.err().contains("unknown accountant 'moments'"), unknown.err());
        var rate = CliTest.cli("privacy-accountant", "--noise-multiplier", "1", "--sample-rate", "1.5", "--steps", "10", "--delta", "1e-5");
        assertTrue(rate.err().contains("sample rate must be in [0, 1], got 1.5"), rate.err());
    }
}
