package gradus.data.datasets;

import gradus.data.DataException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Text data named by a spec string: a corpus for language models ({@code moby-dick:train|val},
 * {@code moby-dick-sample:train|val}, or a text file or folder of {@code .txt} files, optionally
 * followed by {@code :train|val} for the same 90/10 split) or labelled documents for classifiers
 * ({@code spam-assassin:train|test}, {@code spam-assassin-sample:train|test}).
 */
public final class TextData {
    public static final List<String> KNOWN = List.of("moby-dick:train|val", "moby-dick-sample:train|val",
            "spam-assassin:train|test", "spam-assassin-sample:train|test", "PATH.txt[:train|val]", "FOLDER[:train|val]");

    private TextData() {}

    /** What a text spec names. */
    public sealed interface Source permits Corpus, Documents {}

    /** One running text, for language modelling. */
    public record Corpus(String text) implements Source {}

    /** Documents with class labels (indices into {@code classNames}). */
    public record Documents(List<String> texts, int[] labels, List<String> classNames) implements Source {
        public Documents {
            if (texts.size() != labels.length) {
                throw new IllegalArgumentException(texts.size() + " texts but " + labels.length + " labels");
            }
        }

        public int size() {
            return texts.size();
        }

        /** The documents at {@code order[from] … order[to - 1]}: one shuffled mini-batch. */
        public Documents select(int[] order, int from, int to) {
            List<String> t = new ArrayList<>(to - from);
            int[] l = new int[to - from];
            for (int i = from; i < to; i++) {
                t.add(texts.get(order[i]));
                l[i - from] = labels[order[i]];
            }
            return new Documents(t, l, classNames);
        }
    }

    /** Whether {@code spec} names text data rather than a tensor data set. */
    public static boolean isText(String spec) {
        String name = spec.contains(":") ? spec.substring(0, spec.lastIndexOf(':')) : spec;
        return name.equals("moby-dick") || name.equals("moby-dick-sample") || name.equals("spam-assassin")
                || name.equals("spam-assassin-sample") || name.endsWith(".txt") || Files.isDirectory(Path.of(name));
    }

    public static Source open(String spec, Path dataDir) {
        DataHome.requireGiven(dataDir);
        int colon = spec.lastIndexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String split = colon < 0 ? "" : spec.substring(colon + 1);
        return switch (name) {
            case "moby-dick" -> new Corpus(MobyDick.load(split, dataDir));
            case "moby-dick-sample" -> new Corpus(MobyDick.sample(split));
            case "spam-assassin" -> SpamAssassin.load(split, dataDir);
            case "spam-assassin-sample" -> SpamAssassin.sample(split);
            default -> {
                Path path = Path.of(colon < 0 || !(split.equals("train") || split.equals("val")) ? spec : name);
                if (!Files.exists(path)) throw new DataException("unknown text data '" + spec + "'; known: " + String.join(", ", KNOWN));
                String text = read(path);
                yield new Corpus(path.toString().equals(spec) ? text : MobyDick.part(text, split));
            }
        };
    }

    /** A text file, or every {@code .txt} file of a folder in name order, joined by newlines. */
    static String read(Path path) {
        try {
            if (!Files.isDirectory(path)) return Files.readString(path, StandardCharsets.UTF_8);
            StringBuilder text = new StringBuilder();
            try (Stream<Path> files = Files.list(path)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".txt")).sorted().toList()) {
                    String part = Files.readString(p, StandardCharsets.UTF_8);
                    text.append(part);
                    if (!part.endsWith("\n")) text.append('\n');
                }
            }
            if (text.isEmpty()) throw new DataException(path + " holds no .txt files");
            return text.toString();
        } catch (java.nio.charset.MalformedInputException e) {
            throw new DataException(path + ": not UTF-8 text");
        } catch (IOException e) {
            throw new DataException("cannot read " + path + ": " + e.getMessage());
        }
    }
}
