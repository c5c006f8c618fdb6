package gradus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Runs a test class's {@code main} in a fresh JVM on this one's class path (with the Vector API module), for checks
 * that need a JVM no other test has shaped: another JIT mode, another vector width, fresh profiles.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** Its standard output and error together; fails the test when it exits non-zero. */
    public static String run(Class<?> main, List<String> jvmFlags, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Dgradus.log=warn"));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", jvmFlags) + " " + main.getSimpleName() + ":\n" + out);
        return out;
    }
}
