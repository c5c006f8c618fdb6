package gradus.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy and per-class precision, recall, F1 and support from a confusion matrix, with macro,
 * micro and weighted averages, following scikit-learn with {@code zero_division=0}: a ratio whose
 * denominator is 0 counts as 0. As in sklearn's default, averages cover the classes that occur as
 * an actual or a predicted class; a class seen in neither is listed with support 0 but not averaged.
 */
public final class ClassificationReport {
    /** Scores of one class; support is the number of examples whose actual class it is. */
    public record ClassScores(String name, double precision, double recall, double f1, long support) {}

    public record Averages(double precision, double recall, double f1) {}

    private final List<ClassScores> perClass;
    private final double accuracy;
    private final long samples;
    private final Averages macro, micro, weighted;

    private ClassificationReport(ConfusionMatrix cm) {
        int n = cm.numClasses();
        samples = cm.total();
        accuracy = cm.accuracy();
        perClass = new ArrayList<>();
        long tpAll = 0, fpAll = 0, fnAll = 0;
        double pSum = 0, rSum = 0, fSum = 0, pW = 0, rW = 0, fW = 0;
        int seen = 0;
        for (int c = 0; c < n; c++) {
            long tp = cm.count(c, c), support = cm.support(c), predicted = cm.predictedCount(c);
            long fp = predicted - tp, fn = support - tp;
            double p = ratio(tp, predicted), r = ratio(tp, support), f = ratio(2 * tp, 2 * tp + fp + fn);
            perClass.add(new ClassScores(cm.classNames().get(c), p, r, f, support));
            if (support == 0 && predicted == 0) continue;
            seen++;
            pSum += p;
            rSum += r;
            fSum += f;
            pW += p * support;
            rW += r * support;
            fW += f * support;
            tpAll += tp;
            fpAll += fp;
            fnAll += fn;
        }
        macro = seen == 0 ? new Averages(0, 0, 0) : new Averages(pSum / seen, rSum / seen, fSum / seen);
        micro = new Averages(ratio(tpAll, tpAll + fpAll), ratio(tpAll, tpAll + fnAll), ratio(2 * tpAll, 2 * tpAll + fpAll + fnAll));
        weighted = samples == 0 ? new Averages(0, 0, 0) : new Averages(pW / samples, rW / samples, fW / samples);
    }

    public static ClassificationReport of(ConfusionMatrix cm) {
        return new ClassificationReport(cm);
    }

    private static double ratio(long num, long den) {
        return den == 0 ? 0 : (double) num / den;
    }

    public double accuracy() {
        return accuracy;
    }

    public long samples() {
        return samples;
    }

    public List<ClassScores> perClass() {
        return List.copyOf(perClass);
    }

    /** Unweighted mean over classes. */
    public Averages macro() {
        return macro;
    }

    /** From pooled counts; for single-label classification all three equal the accuracy. */
    public Averages micro() {
        return micro;
    }

    /** Mean over classes weighted by support. */
    public Averages weighted() {
        return weighted;
    }

    /** The fields of an evaluation report (JSON-ready). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        put(m, "macro", macro);
        put(m, "micro", micro);
        put(m, "weighted", weighted);
        m.put("samples", samples);
        Map<String, Object> classes = new LinkedHashMap<>();
        for (ClassScores s : perClass) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("precision", s.precision());
            c.put("recall", s.recall());
            c.put("f1", s.f1());
            c.put("support", s.support());
            classes.put(s.name(), c);
        }
        m.put("per_class", classes);
        return m;
    }

    private static void put(Map<String, Object> m, String kind, Averages a) {
        m.put("precision_" + kind, a.precision());
        m.put("recall_" + kind, a.recall());
        m.put("f1_" + kind, a.f1());
    }

    /** A table laid out like sklearn's {@code classification_report}, with {@code digits} decimals. */
    public String toText(int digits) {
        int width = "weighted avg".length();
        for (ClassScores s : perClass) width = Math.max(width, s.name().length());
        int col = Math.max(9, digits + 3);
        String name = "%" + width + "s ";
        String num = " %" + col + "." + digits + "f";
        String count = " %" + col + "d";
        String blank = " %" + col + "s";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, name + blank + blank + blank + blank + "\n\n", "", "precision", "recall", "f1-score", "support"));
        for (ClassScores s : perClass) {
            sb.append(String.format(Locale.ROOT, name + num + num + num + count + "\n", s.name(), s.precision(), s.recall(), s.f1(), s.support()));
        }
        sb.append(String.format(Locale.ROOT, "\n" + name + blank + blank + num + count + "\n", "accuracy", "", "", accuracy, samples));
        for (var row : List.of(Map.entry("macro avg", macro), Map.entry("weighted avg", weighted))) {
            Averages a = row.getValue();
            sb.append(String.format(Locale.ROOT, name + num + num + num + count + "\n", row.getKey(), a.precision(), a.recall(), a.f1(), samples));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return toText(2);
    }
}
