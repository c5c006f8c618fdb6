package gradus.spark.recsys;

import gradus.data.DataLoader;
import gradus.data.Interactions;
import gradus.data.datasets.FoodFrequency;
import gradus.metrics.RecommenderMetrics;
import gradus.models.MatrixFactorization;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.train.Loss;
import gradus.train.Trainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The explicit-rating reference run side by side: Spark MLlib's ALS and Gradus's biased matrix factorization on the same
 * fixed ffq split, both scored by {@link RecommenderMetrics#rmse}. core's RecommendersTest records Spark's number.
 */
class RecommenderReferenceTest {

    @Test
    void gradusFactorizationRmseIsWithinOnePercentOfSparkAls() {
        Interactions.Parts parts = FoodFrequency.split(null);
        // Spark ALS explicit: rank 4, regParam 0.3, 15 iterations, seed 1 (the best of a small grid on this split)
        double spark = SparkAls.explicitRmse(parts.train(), parts.test(), 4, 0.3, 15, 1);
        double gradus = gradusRmse(parts);
        String numbers = String.format("Gradus MF RMSE %.4f, Spark ALS RMSE %.4f (ratio %.4f)", gradus, spark, gradus / spark);
        System.out.println(numbers);
        assertTrue(gradus <= 1.01 * spark, numbers);
        // both must have learned something: below a third of the ratings' 1–9 range
        assertTrue(spark < 3 && gradus < 3, numbers);
    }

    /** examples/recsys-mf.yaml's model and training: 8 factors with biases, Adam 0.01, MSE, L2 1e-3, 10 epochs of 64. */
    private static double gradusRmse(Interactions.Parts parts) {
        Rng.manualSeed(1);
        double mean = 0;
        for (float v : parts.train().values()) mean += v;
        mean /= parts.train().size();
        var mf = new MatrixFactorization(parts.train().numUsers(), parts.train().numItems(), 8, true, 0.1f, (float) mean);
        var trainer = Trainer.of(mf).optimizer(new Adam(mf.parameters(), 0.01)).loss(Loss.mse()).seed(1).regularization(0, 1e-3);
        trainer.fit(DataLoader.of(parts.train().toDataset()).batchSize(64).shuffle(1), null, 10);
        float[] predicted = mf.predict(parts.test().toDataset().x()).contiguousData();
        return RecommenderMetrics.rmse(predicted, parts.test());
    }
}
