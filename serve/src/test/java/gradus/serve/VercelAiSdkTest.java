package gradus.serve;

import gradus.serve.text.TextModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Vercel AI SDK (npm {@code ai} and {@code @ai-sdk/openai}, installed by .ci/run under ~/.gradus/node/ai-sdk)
 * against the server: its {@code openai(model)} uses the Responses API, plain and streamed, and validates every
 * reply and event against its own schemas. Skipped without node or the packages.
 */
@SuppressWarnings("unchecked")
class VercelAiSdkTest {
    static final Path SDK = Path.of(System.getProperty("user.home"), ".gradus/node/ai-sdk");

    @TempDir
    Path dir;

    @Test
    void generatesAndStreamsThroughTheResponsesApi() throws Exception {
        boolean present = Files.isDirectory(SDK.resolve("node_modules/@ai-sdk/openai")) && Files.isDirectory(SDK.resolve("node_modules/ai"));
        Assumptions.assumeTrue(present, "the Vercel AI SDK is not installed at " + SDK + " (.ci/run installs it)");
        Path script = dir.resolve("check.mjs");
        try (InputStream in = getClass().getResourceAsStream("vercel-ai-sdk.mjs")) {
            Files.write(script, in.readAllBytes());
        }
        Files.createSymbolicLink(dir.resolve("node_modules"), SDK.resolve("node_modules")); // where node resolves the imports
        TextModels text = new TextModels().generator("echo", new FakeTextModels.Echo());
        try (GradusServer server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withAccessLog(false), text).start()) {
            Path log = dir.resolve("out.txt");
            Process node = new ProcessBuilder("node", script.toString(), "http://127.0.0.1:" + server.port() + "/v1")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(node.waitFor(120, TimeUnit.SECONDS), "node did not finish");
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            assertEquals(0, node.exitValue(), String.join("\n", lines));
            var out = Fixtures.json(lines.getLast());
            assertEquals(Map.of("text", "you said the quick fox", "finishReason", "stop", "outputTokens", 5), out.get("generate"));
            assertEquals(Map.of("deltas", List.of("you", " said", " stream", " this", " please"), "finishReason", "stop"), out.get("stream"));
        }
    }
}
