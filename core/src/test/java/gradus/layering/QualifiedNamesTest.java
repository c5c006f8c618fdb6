package gradus.layering;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No dependency hides from {@link LayeringTest}: main sources of every module name another package's class only
 * through an import, never inline ({@code gradus.models.Gpt gpt}) or as a class name in a string for reflection.
 * Bytecode cannot tell these apart from imports, so this reads the sources.
 */
class QualifiedNamesTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final List<String> SOURCE_ROOTS = List.of("core/src/main/java", "core/src/main/java22", "cli/src/main/java",
            "serve/src/main/java", "examples/src/main/java");
    /** Loaded by name on purpose: the CLI's build has no dependency on the optional gradus-spark module. */
    static final Map<String, String> BY_NAME = Map.of("cli/src/main/java/gradus/cli/SparkTraining.java", "gradus.spark.SparkRecipe");
    static final Pattern QUALIFIED = Pattern.compile("\\bgradus((?:\\.[a-z][a-z0-9_]*)+)\\.[A-Z]\\w*");

    @Test
    void otherPackagesAreNamedOnlyInImports() throws IOException {
        List<String> hits = new ArrayList<>();
        int files = 0;
        for (String root : SOURCE_ROOTS) {
            Path dir = REPO.resolve(root);
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    Path own = f.getParent();
                    String file = REPO.relativize(f).toString();
                    for (String h : hits(file, Files.readString(f))) {
                        if (h.endsWith(": " + BY_NAME.get(file))) continue;
                        // a class of the same simple name in the file's own package leaves no choice but the full name
                        if (!Files.exists(own.resolve(h.substring(h.lastIndexOf('.') + 1) + ".java"))) hits.add(h);
                    }
                }
            }
        }
        assertTrue(files > 300, "read only " + files + " source files under " + REPO);
        assertEquals(List.of(), hits, "inline qualified names (use an import, so the dependency shows)");
    }

    @Test
    void findsInlineNamesAndReflectiveStringsButNotCommentsOrImports() {
        String source = """
                package gradus.io;
                import gradus.nn.Module;
                /** See {@link gradus.models.Gpt}. */
                class X { // gradus.models.Bert
                    gradus.models.Gpt gpt;
                    Object o = Class.forName("gradus.llm.GgufSummary");
                    Object same = Class.forName("gradus.io.Local");
                    String s = "gradus.task";
                }
                """;
        List<String> hits = hits("X.java", source);
        assertEquals(2, hits.size(), hits.toString());
        assertTrue(hits.get(0).contains("gradus.models.Gpt") && hits.get(1).contains("gradus.llm.GgufSummary"), hits.toString());
    }

    /** Each inline name of a class outside the file's own package, as "file:line: name". */
    static List<String> hits(String file, String source) {
        Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(source);
        String own = pkg.find() ? pkg.group(1) : "";
        List<String> out = new ArrayList<>();
        String[] lines = withoutComments(source).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("import ") || line.startsWith("package ")) continue;
            Matcher m = QUALIFIED.matcher(line);
            while (m.find()) {
                if (!("gradus" + m.group(1)).equals(own)) out.add(file + ":" + (i + 1) + ": " + m.group());
            }
        }
        return out;
    }

    /** The source with comments blanked (line breaks kept, so line numbers hold); string literals stay. */
    static String withoutComments(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') { // a literal: copy to its closing quote
                int j = i + 1;
                while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') j += s.charAt(j) == '\\' ? 2 : 1;
                j = Math.min(j + 1, n);
                b.append(s, i, j);
                i = j;
            } else if (s.startsWith("//", i)) {
                while (i < n && s.charAt(i) != '\n') i++;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                for (int k = i; k < end; k++) if (s.charAt(k) == '\n') b.append('\n');
                i = end;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }
}
