package gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's own shell functions, run from the real {@code gradus} script (sourced, so it runs nothing else). */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("..", "gradus").toAbsolutePath().normalize();

    private record Run(int status, String stdout) {}

    private static Run bash(String script, byte[] stdin, String... env) throws IOException, InterruptedException {
        var builder = new ProcessBuilder("bash", "-c", "source '" + LAUNCHER + "'; " + script).redirectErrorStream(true);
        builder.environment().remove("CI");
        for (int i = 0; i < env.length; i += 2) builder.environment().put(env[i], env[i + 1]);
        Process process = builder.start();
        try (var in = process.getOutputStream()) {
            in.write(stdin);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "bash did not finish");
        return new Run(process.exitValue(), out);
    }

    @Test
    void stderrFilterKeepsEveryLineAfterANul() throws Exception {
        byte[] log = "first\nWARNING: Using incubator modules: jdk.incubator.vector\nGET /v2/models/a\0b 404\nlast line\n"
                .getBytes(StandardCharsets.UTF_8);
        Run run = bash("quiet_jdk_notice", log);
        assertEquals("first\nGET /v2/models/a\0b 404\nlast line\n", run.stdout());
    }

    @Test
    void testSummaryCountsRunFailedSkippedAndFailsOnSkipsInCi(@TempDir Path root) throws Exception {
        Path reports = Files.createDirectories(root.resolve("core/target/surefire-reports"));
        Files.writeString(reports.resolve("TEST-a.ATest.xml"), suite("a.ATest", 3, 1, 0, 0, List.of()));
        Files.writeString(reports.resolve("TEST-b.BTest.xml"), suite("b.BTest", 2, 0, 1, 1, List.of("needsData")));

        Run local = bash("ROOT='" + root + "'; test_summary", new byte[0]);
        assertEquals(0, local.status(), local.stdout());
        assertTrue(local.stdout().contains("gradus test: 5 run, 2 failed, 1 skipped"), local.stdout());
        assertTrue(local.stdout().contains("skipped: b.BTest.needsData"), local.stdout());

        Run ci = bash("ROOT='" + root + "'; test_summary", new byte[0], "CI", "true");
        assertEquals(1, ci.status(), ci.stdout());
        assertTrue(ci.stdout().contains("skipped tests fail the run in CI"), ci.stdout());
    }

    @Test
    void testSummaryWithoutSkipsPassesInCi(@TempDir Path root) throws Exception {
        Path reports = Files.createDirectories(root.resolve("serve/target/surefire-reports"));
        Files.writeString(reports.resolve("TEST-c.CTest.xml"), suite("c.CTest", 4, 0, 0, 0, List.of()));
        Run ci = bash("ROOT='" + root + "'; test_summary", new byte[0], "CI", "true");
        assertEquals(0, ci.status(), ci.stdout());
        assertTrue(ci.stdout().contains("gradus test: 4 run, 0 failed, 0 skipped"), ci.stdout());
    }

    private static String suite(String name, int tests, int failures, int errors, int skipped, List<String> skippedNames) {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                + " version=\"3.0.2\" name=\"" + name + "\" time=\"0.1\" tests=\"" + tests + "\" errors=\"" + errors
                + "\" skipped=\"" + skipped + "\" failures=\"" + failures + "\">\n");
        for (String test : skippedNames) {
            xml.append("  <testcase name=\"").append(test).append("\" classname=\"").append(name)
                    .append("\" time=\"0\">\n    <skipped message=\"not installed\"/>\n  </testcase>\n");
        }
        return xml.append("</testsuite>\n").toString();
    }
}
