package gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Every command answers -h/--help with its usage and exit code 0, whatever it requires otherwise. */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"-h", "--help"})
    void everySubcommandHasHelp(String flag) {
        var names = new CommandLine(new Main()).getSubcommands().keySet();
        assertTrue(names.size() >= 11, names.toString());
        for (String name : names) {
            CliTest.Run run = CliTest.cli(name, flag);
            assertEquals(0, run.code(), name + " " + flag + ": " + run.err());
            assertTrue(run.out().contains("Usage: gradus " + name), name + " " + flag + ": " + run.out());
        }
    }
}
