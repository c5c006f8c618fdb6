package gradus.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs llama.cpp (node-llama-cpp 3.21.1, installed in tools/llama-cpp by .ci/run or {@code npm ci}) through
 * tools/llama-cpp/greedy.mjs. Outside CI a missing install skips the calling test with the reason; in CI
 * (CI=true) it fails it.
 */
final class LlamaCpp {
    static final Path DIR = findToolsDir();

    /** llama.cpp's greedy tokens and, for each step, the log-probabilities that chose the token. */
    record Answer(int[] tokens, float[][] logProbs) {}

    private LlamaCpp() {}

    static void assumeInstalled() {
        String reason = DIR == null ? "tools/llama-cpp not found above " + Path.of("").toAbsolutePath()
                : !Files.isDirectory(DIR.resolve("node_modules/node-llama-cpp")) ? "node-llama-cpp is not installed (cd "
                + DIR + " && npm ci)" : null;
        if (reason == null) return;
        if ("true".equals(System.getenv("CI"))) throw new AssertionError("CI: " + reason);
        System.out.println("skipped: " + reason);
        Assumptions.abort(reason);
    }

    static Answer greedy(Path model, int[] prompt, int steps, int threads) throws IOException, InterruptedException {
        assumeInstalled();
        String ids = Arrays.stream(prompt).mapToObj(Integer::toString).collect(Collectors.joining(","));
        Process p = new ProcessBuilder("node", "greedy.mjs", model.toAbsolutePath().toString(), ids,
                Integer.toString(steps), Integer.toString(threads)).directory(DIR.toFile()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("greedy.mjs failed: " + new String(err, StandardCharsets.UTF_8));
        }
        JsonNode json = new ObjectMapper().readTree(out);
        float[][] logProbs = new float[json.get("steps").size()][];
        for (int i = 0; i < logProbs.length; i++) logProbs[i] = floats(json.get("steps").get(i));
        return new Answer(ints(json.get("tokens")), logProbs);
    }

    /** llama.cpp's ids for each text (special tokens parsed, no BOS), through tools/llama-cpp/tokenize.mjs. */
    static int[][] tokenize(Path model, List<String> texts) throws IOException, InterruptedException {
        assumeInstalled();
        Path input = Files.createTempFile("texts", ".json");
        try {
            new ObjectMapper().writeValue(input.toFile(), texts);
            Process p = new ProcessBuilder("node", "tokenize.mjs", model.toAbsolutePath().toString(), input.toString())
                    .directory(DIR.toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("tokenize.mjs failed: " + new String(err, StandardCharsets.UTF_8));
            }
            JsonNode ids = new ObjectMapper().readTree(out).get("ids");
            int[][] result = new int[ids.size()][];
            for (int i = 0; i < result.length; i++) result[i] = ints(ids.get(i));
            return result;
        } finally {
            Files.deleteIfExists(input);
        }
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }

    private static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) a.get(i).asDouble();
        return v;
    }

    private static Path findToolsDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("tools/llama-cpp/greedy.mjs"))) return dir.resolve("tools/llama-cpp");
        }
        return null;
    }
}
