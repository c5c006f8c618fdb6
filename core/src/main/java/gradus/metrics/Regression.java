package gradus.metrics;

import gradus.data.Batch;
import gradus.tensor.Tensor;

import java.util.function.ToDoubleFunction;

/** A streaming regression metric (mse, mae, r2) over the batch targets; see {@link RegressionMetrics}. */
final class Regression implements Metric {
    private final String name;
    private final ToDoubleFunction<RegressionMetrics> result;
    private final boolean higherIsBetter;
    private final RegressionMetrics sums = new RegressionMetrics();

    Regression(String name, ToDoubleFunction<RegressionMetrics> result, boolean higherIsBetter) {
        this.name = name;
        this.result = result;
        this.higherIsBetter = higherIsBetter;
    }

    @Override
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void update(Tensor output, Batch batch) {
        if (batch.targets() == null) throw new IllegalArgumentException(name + " needs float targets in the batch, which has only class labels");
        sums.update(output, batch.targets());
    }

    @Override
    public double result() {
        return result.applyAsDouble(sums);
    }

    @Override
    public void reset() {
        sums.reset();
    }
}
