package gradus.quant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Sentences of the Moby Dick sample in data/moby-dick-sample (chapter headings left out), in order. */
public final class MobyDickSentences {
    private MobyDickSentences() {}

    public static List<String> first(int n) throws IOException {
        Path dir = Path.of("data/moby-dick-sample");
        if (!Files.isDirectory(dir)) dir = Path.of("../data/moby-dick-sample"); // tests run in core/
        List<String> out = new ArrayList<>();
        for (int chapter = 1; chapter <= 3 && out.size() < n; chapter++) {
            for (String paragraph : Files.readString(dir.resolve("chapter_" + chapter + ".txt")).split("\n+")) {
                if (paragraph.startsWith("CHAPTER")) continue;
                for (String s : paragraph.split("(?<=[.!?])\\s+")) {
                    if (s.isBlank() || out.size() >= n) continue;
                    out.add(s.strip());
                }
            }
        }
        if (out.size() < n) throw new IllegalStateException("the Moby Dick sample holds " + out.size() + " sentences, " + n + " asked");
        return out;
    }
}
