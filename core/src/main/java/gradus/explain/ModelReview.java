package gradus.explain;

import gradus.autograd.GradMode;
import gradus.data.TensorDataset;
import gradus.nn.Module;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A one-page review of a classifier: accuracy and the confusion matrix on a data set, weight statistics
 * (non-finite values, norms), the model-randomization sanity check of its saliency and Integrated Gradients
 * maps, and accuracy under FGSM and PGD for several ε. As data ({@link #summary}) and as Markdown or HTML.
 */
public final class ModelReview {
    private final Map<String, Object> summary;
    private final List<String> classNames;
    private final long[][] confusion;

    private ModelReview(Map<String, Object> summary, List<String> classNames, long[][] confusion) {
        this.summary = summary;
        this.classNames = classNames;
        this.confusion = confusion;
    }

    /**
     * @param data      labelled examples (preprocessed as the model takes them); the first {@code limit} are used
     * @param epsilons  attack budgets, in input units
     * @param min       smallest valid input value (for clamping adversarial inputs)
     * @param max       largest valid input value
     */
    public static ModelReview of(String name, Module model, TensorDataset data, List<String> classNames, int limit,
                                 List<Float> epsilons, float min, float max, long seed) {
        if (data.labels() == null) throw new IllegalArgumentException("a review needs labelled data (a classification data set)");
        int n = Math.min(limit, data.size());
        Tensor x = data.x().narrow(0, 0, n).contiguous();
        int[] labels = java.util.Arrays.copyOf(data.labels().data(), n);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", name);
        s.put("examples", n);
        Tensor out;
        try (var g = GradMode.noGrad()) {
            out = batched(model, x);
        }
        int[] predicted = Outputs.argmax(out);
        int classes = Math.max(out.reshape(n, -1).size(1), 2);
        long[][] confusion = new long[classes][classes];
        int right = 0;
        for (int i = 0; i < n; i++) {
            confusion[labels[i]][predicted[i]]++;
            if (labels[i] == predicted[i]) right++;
        }
        s.put("accuracy", (double) right / n);
        s.put("weights", weightStats(model));
        s.put("sanity_check", sanity(model, x.narrow(0, 0, 1).contiguous(), predicted[0], seed));
        List<Map<String, Object>> robustness = new ArrayList<>();
        for (float eps : epsilons) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epsilon", eps);
            row.put("fgsm", Robustness.evaluate(model::forward, x, labels, new Fgsm(eps, min, max), 100).robustAccuracy());
            row.put("pgd", Robustness.evaluate(model::forward, x, labels,
                    new Pgd(Pgd.Norm.LINF, eps, 2.5f * eps / 10, 10, true, seed, min, max), 100).robustAccuracy());
            robustness.add(row);
        }
        s.put("robustness", robustness);
        return new ModelReview(s, classNames, confusion);
    }

    private static Tensor batched(Module model, Tensor x) {
        List<Tensor> parts = new ArrayList<>();
        for (int start = 0; start < x.size(0); start += 256) parts.add(model.forward(x.narrow(0, start, Math.min(256, x.size(0) - start))));
        return Tensor.concat(parts, 0);
    }

    private static Map<String, Object> weightStats(Module model) {
        long count = 0, nonFinite = 0;
        double sumSq = 0, maxAbs = 0;
        Map<String, Double> norms = new LinkedHashMap<>();
        for (var e : model.stateDict().entrySet()) {
            double sq = 0;
            for (float v : e.getValue().toArray()) {
                count++;
                if (!Float.isFinite(v)) {
                    nonFinite++;
                    continue;
                }
                sq += (double) v * v;
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            sumSq += sq;
            norms.put(e.getKey(), Math.sqrt(sq));
        }
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("values", count);
        w.put("non_finite", nonFinite);
        w.put("l2_norm", Math.sqrt(sumSq));
        w.put("max_abs", maxAbs);
        w.put("norms", norms);
        return w;
    }

    /** ρ of each method's map with the original after every layer is re-initialized (near 0 is what passing looks like). */
    private static Map<String, Object> sanity(Module model, Tensor example, int target, long seed) {
        Map<String, Object> out = new LinkedHashMap<>();
        var saliency = SanityCheck.modelRandomization(model, m -> Saliency.saliency(m::forward, example, target), seed);
        var ig = SanityCheck.modelRandomization(model, m -> new IntegratedGradients(m::forward).steps(16).attribute(example, target).attributions(), seed);
        out.put("saliency", saliency.getLast().spearmanAbs());
        out.put("ig", ig.getLast().spearmanAbs());
        out.put("ig_gap", new IntegratedGradients(model::forward).steps(64).attribute(example, target).relativeGap());
        return out;
    }

    public Map<String, Object> summary() {
        return summary;
    }

    private String cls(int i) {
        return classNames != null && i < classNames.size() ? classNames.get(i) : Integer.toString(i);
    }

    @SuppressWarnings("unchecked")
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Model review: ").append(summary.get("model")).append("\n\n");
        md.append(String.format(Locale.ROOT, "Accuracy **%.2f%%** on %d examples.%n%n", 100 * (Double) summary.get("accuracy"), summary.get("examples")));
        md.append("## Confusion matrix (rows: actual, columns: predicted)\n\n|   |");
        for (int j = 0; j < confusion.length; j++) md.append(' ').append(cls(j)).append(" |");
        md.append("\n|---|").append("---|".repeat(confusion.length)).append('\n');
        for (int i = 0; i < confusion.length; i++) {
            md.append("| ").append(cls(i)).append(" |");
            for (long c : confusion[i]) md.append(' ').append(c).append(" |");
            md.append('\n');
        }
        var w = (Map<String, Object>) summary.get("weights");
        md.append(String.format(Locale.ROOT, "%n## Weights%n%n%d values, %d not finite, L2 norm %.4g, largest |w| %.4g.%n",
                w.get("values"), w.get("non_finite"), w.get("l2_norm"), w.get("max_abs")));
        var s = (Map<String, Object>) summary.get("sanity_check");
        md.append(String.format(Locale.ROOT, "%n## Attribution sanity check (Adebayo et al. 2018)%n%n"
                        + "Spearman ρ of |attribution| with the original after re-initializing every layer (near 0 passes, near 1 fails):%n%n"
                        + "| method | ρ |%n|---|---|%n| saliency | %.3f |%n| integrated gradients | %.3f |%n%n"
                        + "Integrated Gradients' completeness gap at 64 steps: %.3g of |f(x) − f(0)|.%n",
                s.get("saliency"), s.get("ig"), s.get("ig_gap")));
        md.append("\n## Robustness (accuracy under attack, L∞)\n\n| ε | FGSM | PGD-10 |\n|---|---|---|\n");
        for (var row : (List<Map<String, Object>>) summary.get("robustness")) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f%% | %.2f%% |%n", row.get("epsilon"), 100 * (Double) row.get("fgsm"), 100 * (Double) row.get("pgd")));
        }
        return md.toString();
    }

    /** The Markdown as a standalone HTML page (headings, paragraphs and tables). */
    public String html() {
        StringBuilder h = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Model review</title>\n"
                + "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}</style></head><body>\n");
        boolean table = false, header = false;
        for (String line : markdown().split("\n")) {
            if (line.startsWith("|")) {
                if (line.startsWith("|---")) continue;
                if (!table) {
                    h.append("<table>\n");
                    table = true;
                    header = true;
                }
                String[] cells = line.substring(1, line.length() - 1).split("\\|");
                h.append("<tr>");
                for (String c : cells) h.append(header ? "<th>" : "<td>").append(escape(c.trim())).append(header ? "</th>" : "</td>");
                h.append("</tr>\n");
                header = false;
                continue;
            }
            if (table) {
                h.append("</table>\n");
                table = false;
            }
            if (line.startsWith("## ")) h.append("<h2>").append(escape(line.substring(3))).append("</h2>\n");
            else if (line.startsWith("# ")) h.append("<h1>").append(escape(line.substring(2))).append("</h1>\n");
            else if (!line.isBlank()) h.append("<p>").append(escape(line).replaceAll("\\*\\*(.+?)\\*\\*", "<strong>$1</strong>")).append("</p>\n");
        }
        if (table) h.append("</table>\n");
        return h.append("</body></html>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
