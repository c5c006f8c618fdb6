package gradus.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The serve subcommand's wiring; the server itself is tested in the serve module. */
class ServeTest {
    @Test
    void helpListsTheOptions() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out));
        try {
            assertEquals(0, Main.run("serve", "--help"));
        } finally {
            System.setOut(old);
        }
        String help = out.toString();
        for (String option : new String[]{"--models", "--port", "--max-batch-size", "--api-keys", "--keystore", "--rate-limit"}) {
            assertTrue(help.contains(option), option);
        }
    }

    @Test
    void aBadKeyFileIsAClearError(@TempDir Path dir) throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"), "k1:superuser\n");
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err));
        try {
            assertEquals(1, Main.run("serve", "--models", dir.toString(), "--port", "0", "--api-keys", keys.toString()));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains("unknown role 'superuser'"), err.toString());
    }

    @Test
    void aMissingLanguageModelOrNoModelsAtAllIsAClearError(@TempDir Path dir) {
        var missing = CliTest.cli("serve", "--llm", "whale=" + dir.resolve("missing.gguf"), "--port", "0");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no such file: " + dir.resolve("missing.gguf")), missing.err());
        var none = CliTest.cli("serve", "--port", "0");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("give --models DIR, --llm PATH, or both"), none.err());
    }
}
