package gradus.metrics;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;

/**
 * Mean squared error, mean absolute error and R² accumulated over batches, with scikit-learn's
 * semantics: several outputs (columns) are averaged uniformly; R² of a constant target is 1 when
 * predicted exactly, else 0. Results are NaN before any data (and R² with fewer than 2 rows).
 * Sums are kept per batch in double and merged with Chan's formula, so long runs stay accurate.
 */
public final class RegressionMetrics {
    private int columns = -1;
    private long rows;
    private double absError;
    private double[] squaredError, targetMean, targetM2;

    /** Adds predictions and targets of equal shape ({@code [N]} or {@code [N, D]}; {@code [N, 1]} pairs with {@code [N]}). */
    public void update(Tensor predictions, Tensor targets) {
        int[] ps = predictions.shape(), ts = targets.shape();
        boolean sameShape = Arrays.equals(ps, ts);
        boolean column = predictions.numel() == targets.numel() && isColumn(ps) && isColumn(ts);
        if (!sameShape && !column) {
            throw new IllegalArgumentException("predictions of shape " + Shape.str(ps) + " do not match targets of shape " + Shape.str(ts));
        }
        int d = sameShape && ps.length >= 2 ? Shape.numel(Arrays.copyOfRange(ps, 1, ps.length)) : 1;
        update(predictions.contiguousData(), targets.contiguousData(), d);
    }

    private static boolean isColumn(int[] shape) {
        return shape.length <= 1 || (shape.length == 2 && shape[1] == 1);
    }

    /** Adds rows of {@code d} outputs each, row-major. */
    public void update(float[] predictions, float[] targets, int d) {
        if (predictions.length != targets.length) {
            throw new IllegalArgumentException(predictions.length + " predictions but " + targets.length + " targets");
        }
        if (d < 1 || predictions.length % d != 0) throw new IllegalArgumentException(predictions.length + " values do not form rows of " + d);
        if (columns == -1) {
            columns = d;
            squaredError = new double[d];
            targetMean = new double[d];
            targetM2 = new double[d];
        } else if (columns != d) {
            throw new IllegalArgumentException("this batch has " + d + " outputs per row, earlier ones had " + columns);
        }
        int n = predictions.length / d;
        if (n == 0) return;
        for (int j = 0; j < d; j++) {
            double sum = 0, se = 0, ae = 0;
            for (int i = 0; i < n; i++) {
                double y = targets[i * d + j], e = predictions[i * d + j] - y;
                sum += y;
                se += e * e;
                ae += Math.abs(e);
            }
            double mean = sum / n, m2 = 0;
            for (int i = 0; i < n; i++) {
                double dy = targets[i * d + j] - mean;
                m2 += dy * dy;
            }
            double delta = mean - targetMean[j];
            double total = rows + n;
            targetMean[j] += delta * n / total;
            targetM2[j] += m2 + delta * delta * rows * n / total;
            squaredError[j] += se;
            absError += ae;
        }
        rows += n;
    }

    public long count() {
        return rows;
    }

    public double mse() {
        if (rows == 0) return Double.NaN;
        double s = 0;
        for (double v : squaredError) s += v;
        return s / ((double) rows * columns);
    }

    public double rmse() {
        return Math.sqrt(mse());
    }

    public double mae() {
        return rows == 0 ? Double.NaN : absError / ((double) rows * columns);
    }

    /** Coefficient of determination, averaged over outputs. */
    public double r2() {
        if (rows < 2) return Double.NaN;
        double s = 0;
        for (int j = 0; j < columns; j++) {
            double total = targetM2[j], residual = squaredError[j];
            s += total != 0 ? 1 - residual / total : residual == 0 ? 1 : 0;
        }
        return s / columns;
    }

    public void reset() {
        columns = -1;
        rows = 0;
        absError = 0;
        squaredError = targetMean = targetM2 = null;
    }
}
