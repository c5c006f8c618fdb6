package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.models.SentenceEmbedder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "embed", description = "Sentence embeddings from an imported encoder (mean-pooled and L2-normalized, like sentence-transformers).")
final class EmbedCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--text", paramLabel = "TEXT", description = "A text to embed (repeatable).")
    List<String> texts = new ArrayList<>();

    @Option(names = "--file", paramLabel = "FILE", description = "Embed each non-empty line of FILE too.")
    Path file;

    @Option(names = "--json", description = "Print {\"embeddings\": [[...], ...]}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<String> all = new ArrayList<>(texts);
        if (file != null) for (String line : Files.readAllLines(file)) if (!line.isBlank()) all.add(line);
        if (all.isEmpty()) throw new IllegalArgumentException("nothing to embed: give --text TEXT (repeatable) or --file FILE");
        float[][] e = SentenceEmbedder.load(modelDir).embed(all);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(Map.of("embeddings", e)));
        } else {
            for (float[] v : e) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : " ").append(v[i]);
                out.println(sb);
            }
        }
        return 0;
    }
}
