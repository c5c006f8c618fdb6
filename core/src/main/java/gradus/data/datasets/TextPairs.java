package gradus.data.datasets;

import gradus.data.DataException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Source and target texts side by side, for sequence-to-sequence tasks (an email body and its subject line). */
public record TextPairs(List<String> sources, List<String> targets) {
    public static final List<String> KNOWN = List.of("spam-assassin-subjects:train|test", "spam-assassin-sample-subjects:train|test");

    public TextPairs {
        if (sources.size() != targets.size()) throw new IllegalArgumentException(sources.size() + " sources but " + targets.size() + " targets");
        sources = List.copyOf(sources);
        targets = List.copyOf(targets);
    }

    public int size() {
        return sources.size();
    }

    /** The first {@code n} pairs (all when there are fewer). */
    public TextPairs first(int n) {
        int k = Math.min(n, size());
        return new TextPairs(sources.subList(0, k), targets.subList(0, k));
    }

    /** Whether {@code spec} names pair data. */
    public static boolean isPairs(String spec) {
        String name = spec.contains(":") ? spec.substring(0, spec.lastIndexOf(':')) : spec;
        return name.equals("spam-assassin-subjects") || name.equals("spam-assassin-sample-subjects");
    }

    /** The pairs a spec names: {@code spam-assassin-subjects:train|test} (the full corpus) or the sample that ships with Gradus. */
    public static TextPairs open(String spec, Path dataDir) {
        int colon = spec.lastIndexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon), split = colon < 0 ? "" : spec.substring(colon + 1);
        return switch (name) {
            case "spam-assassin-subjects" -> {
                DataHome.requireGiven(dataDir);
                yield SpamAssassin.subjects(SpamAssassin.load(split, dataDir));
            }
            case "spam-assassin-sample-subjects" -> SpamAssassin.subjects(SpamAssassin.sample(split));
            default -> throw new DataException("unknown pair data '" + spec + "'; known: " + String.join(", ", KNOWN));
        };
    }

    static TextPairs of(List<String[]> pairs) {
        List<String> s = new ArrayList<>(pairs.size()), t = new ArrayList<>(pairs.size());
        for (String[] p : pairs) {
            s.add(p[0]);
            t.add(p[1]);
        }
        return new TextPairs(s, t);
    }
}
