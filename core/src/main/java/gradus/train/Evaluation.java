package gradus.train;

import gradus.autograd.GradMode;
import gradus.data.Batch;
import gradus.data.DataLoader;
import gradus.data.Dataset;
import gradus.data.TensorDataset;
import gradus.metrics.ClassificationReport;
import gradus.metrics.ConfusionMatrix;
import gradus.metrics.RegressionMetrics;
import gradus.io.ModelCard;
import gradus.nn.Module;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Evaluates a trained model on a dataset: the report behind {@code gradus eval}. */
public final class Evaluation {
    private Evaluation() {}

    /** {@code summary} holds the JSON fields; {@code confusion} is null for regression. */
    public record Report(Map<String, Object> summary, ConfusionMatrix confusion, ClassificationReport classification) {}

    /**
     * @param card the model directory's card (task, class names, loss)
     */
    public static Report run(Module model, ModelCard card, Dataset data, int batchSize) {
        TensorDataset tensors = data instanceof TensorDataset t ? t : null;
        String task = String.valueOf(Objects.requireNonNullElse(card.task(),
                tensors != null && tensors.labels() == null ? "regression" : "classification"));
        Object lossSpec = Objects.requireNonNullElse(card.loss(), task.equals("classification") ? "cross_entropy" : "mse");
        Loss loss = Loss.named(Loss.nameOf(lossSpec), 0f);
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        int n = 0;
        Map<String, Object> summary = new LinkedHashMap<>();
        try (var g = GradMode.noGrad()) {
            if (task.equals("classification")) {
                @SuppressWarnings("unchecked")
                List<String> names = card.classNames() != null ? card.classNames() : tensors == null ? null : tensors.classNames();
                ConfusionMatrix cm = null;
                for (Batch b : DataLoader.of(data).batchSize(batchSize)) {
                    Tensor out = model.forward(b.x());
                    lossSum += (double) loss.compute(out, b).item() * b.size();
                    n += b.size();
                    int classes = out.dim() == 2 && out.size(1) > 1 ? out.size(1) : 2;
                    if (cm == null) cm = names != null && names.size() == classes ? new ConfusionMatrix(names) : new ConfusionMatrix(classes);
                    int[] predicted = out.dim() == 2 && out.size(1) > 1 ? out.argmax(1).data() : threshold(out, probabilities(lossSpec) ? 0.5f : 0f);
                    cm.add(predicted, b.labels().data());
                }
                if (cm == null) throw new IllegalArgumentException("the evaluation data is empty");
                ClassificationReport report = ClassificationReport.of(cm);
                summary.putAll(report.toMap());
                summary.put("loss", lossSum / n);
                summary.put("samples", n);
                return new Report(summary, cm, report);
            }
            if (task.equals("language_model")) { // the task a recipe with a text corpus trains
                // every window has the same length, so the mean over windows is the mean per token
                long tokens = 0;
                for (Batch b : DataLoader.of(data).batchSize(batchSize)) {
                    lossSum += (double) loss.compute(model.forward(b.x()), b).item() * b.size();
                    n += b.size();
                    tokens += b.labels().numel();
                }
                if (n == 0) throw new IllegalArgumentException("the evaluation data is empty");
                summary.put("loss", lossSum / n);
                summary.put("perplexity", Math.exp(lossSum / n));
                summary.put("tokens", tokens);
                summary.put("samples", n);
                return new Report(summary, null, null);
            }
            RegressionMetrics rm = new RegressionMetrics();
            for (Batch b : DataLoader.of(data).batchSize(batchSize)) {
                Tensor out = model.forward(b.x());
                lossSum += (double) loss.compute(out, b).item() * b.size();
                n += b.size();
                rm.update(out, b.targets());
            }
            summary.put("mse", rm.mse());
            summary.put("mae", rm.mae());
            summary.put("r2", rm.r2());
            summary.put("loss", lossSum / Math.max(1, n));
            summary.put("samples", n);
            return new Report(summary, null, null);
        } finally {
            if (wasTraining) model.train();
        }
    }

    private static int[] threshold(Tensor output, float threshold) {
        float[] v = output.toArray();
        int[] p = new int[v.length];
        for (int i = 0; i < v.length; i++) p[i] = v[i] > threshold ? 1 : 0;
        return p;
    }

    /** Models trained with plain bce end in a sigmoid and output probabilities rather than logits. */
    public static boolean probabilities(Object lossSpec) {
        return Loss.nameOf(lossSpec).equals("bce");
    }
}
