package gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java example is a whole program that compiles against Gradus as written: imports, variables and all. */
class ReadmeJavaTest {
    @Test
    void readmeJavaExampleCompiles(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README.md has a ```java block");
        String source = block.group(1);
        Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(name.find(), "the example is a public class");
        Path file = Files.writeString(dir.resolve(name.group(1) + ".java"), source);

        var compiler = ToolProvider.getSystemJavaCompiler();
        var diagnostics = new DiagnosticCollector<JavaFileObject>();
        try (var files = compiler.getStandardFileManager(diagnostics, null, null)) {
            List<String> options = List.of("--add-modules", "jdk.incubator.vector", "-classpath",
                    System.getProperty("java.class.path"), "-d", dir.toString(), "-Xlint:none");
            boolean ok = compiler.getTask(new StringWriter(), files, diagnostics, options, null,
                    files.getJavaFileObjects(file)).call();
            assertTrue(ok, diagnostics.getDiagnostics().toString());
        }
        assertEquals(List.of(), diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR).toList());
    }
}
