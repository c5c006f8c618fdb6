package gradus.data.datasets;

import gradus.data.DataException;
import gradus.data.Interactions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Implicit feedback from a real store: Weka's {@code supermarket.arff}, 4,627 shopping baskets of one day at a New
 * Zealand supermarket over 216 product departments ({@code t} where the basket bought from the department). Each
 * basket is a user, each department an item, each purchase an interaction of value 1 (85,7xx in all). Debian's
 * package {@code weka} installs the file as {@value #DEBIAN_FILE}; {@code --data-dir DIR} reads
 * {@code DIR/supermarket.arff} instead.
 */
public final class Supermarket {
    public static final String FILE = "supermarket.arff";
    public static final String DEBIAN_FILE = "/usr/share/doc/weka/examples/supermarket.arff";
    /** The fixed split: this fraction of each basket's departments, drawn with this seed, is held out for testing. */
    public static final double TEST_FRACTION = 0.2;
    public static final long SPLIT_SEED = 42;
    /** Negatives sampled per positive for a pointwise model's training set ({@code supermarket:train}), as in NCF. */
    public static final int NEGATIVES = 4;

    private Supermarket() {}

    /** Every basket's departments, with the department names (the ARFF's attribute names) as item names. */
    public record Data(Interactions interactions, List<String> items) {}

    public static Data load(Path dataDir) {
        DataHome.requireGiven(dataDir);
        Path file = dataDir != null ? dataDir.resolve(FILE) : Path.of(DEBIAN_FILE);
        if (!Files.isRegularFile(file)) {
            throw new DataException("the supermarket baskets were not found: no " + file
                    + (dataDir != null ? "" : "; install Debian's package weka (apt-get install weka) or pass --data-dir DIR with " + FILE));
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage());
        }
        List<String> items = new ArrayList<>();
        int dataStart = -1;
        for (int i = 0; i < lines.size() && dataStart < 0; i++) {
            String line = lines.get(i).trim();
            String lower = line.toLowerCase();
            if (lower.startsWith("@attribute")) {
                String rest = line.substring("@attribute".length()).trim();
                String name = rest.startsWith("'") ? rest.substring(1, rest.indexOf('\'', 1)) : rest.split("\\s+")[0];
                if (rest.contains("{ t}") || rest.contains("{t}")) items.add(name);
            } else if (lower.startsWith("@data")) {
                dataStart = i + 1;
            }
        }
        if (dataStart < 0 || items.isEmpty()) throw new DataException(file + " is not the supermarket ARFF: no @data section or no {t} attributes");
        List<Integer> users = new ArrayList<>(), bought = new ArrayList<>();
        int basket = 0;
        for (int i = dataStart; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("%")) continue;
            String[] cells = line.split(",", -1);
            if (cells.length < items.size()) {
                throw new DataException(file + " line " + (i + 1) + ": " + cells.length + " values, expected at least " + items.size());
            }
            for (int d = 0; d < items.size(); d++) {
                String c = cells[d].trim();
                if (c.equals("t")) {
                    users.add(basket);
                    bought.add(d);
                } else if (!c.equals("?")) {
                    throw new DataException(file + " line " + (i + 1) + ", department " + (d + 1) + ": '" + c + "', expected t or ?");
                }
            }
            basket++;
        }
        int[] u = users.stream().mapToInt(Integer::intValue).toArray();
        int[] it = bought.stream().mapToInt(Integer::intValue).toArray();
        float[] v = new float[u.length];
        java.util.Arrays.fill(v, 1f);
        return new Data(new Interactions(u, it, v, basket, items.size()), List.copyOf(items));
    }

    /** The fixed per-basket split ({@link #TEST_FRACTION}, {@link #SPLIT_SEED}). */
    public static Interactions.Parts split(Path dataDir) {
        return load(dataDir).interactions().splitPerUser(TEST_FRACTION, SPLIT_SEED);
    }
}
