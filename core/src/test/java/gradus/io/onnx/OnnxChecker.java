package gradus.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * ONNX's own checker, {@code onnx.checker.check_model(model, full_check=True)} (Debian's {@code python3-onnx}),
 * run on an exported file: the reference reader, not ours. The system Python is used, where the Debian package lives.
 */
public final class OnnxChecker {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String SCRIPT = "import sys, onnx\n"
            + "onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)\n"
            + "print('ok', onnx.__version__)\n";

    private OnnxChecker() {}

    /** Fails the test with the checker's message unless the file passes the full check. */
    public static void assertValid(Path file) throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(PYTHON), "ONNX's checker needs " + PYTHON + " with python3-onnx (apt-get install python3-onnx)");
        Process process = new ProcessBuilder(PYTHON.toString(), "-c", SCRIPT, file.toString()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the ONNX checker did not finish");
        assertEquals(0, process.exitValue(), "onnx.checker.check_model(full_check=True) rejects " + file + ":\n" + out);
    }
}
