package gradus.spark.recsys;

import gradus.data.Interactions;
import gradus.metrics.RecommenderMetrics;
import gradus.spark.TestSpark;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reference: Spark MLlib's ALS ({@code org.apache.spark.ml.recommendation.ALS}) trained on a Gradus split, its
 * predictions and factors scored by the same {@link RecommenderMetrics} code that scores Gradus's models.
 */
final class SparkAls {
    private static final StructType SCHEMA = new StructType()
            .add("user", DataTypes.IntegerType).add("item", DataTypes.IntegerType).add("rating", DataTypes.FloatType);

    private SparkAls() {}

    static Dataset<Row> frame(SparkSession spark, Interactions data) {
        List<Row> rows = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) rows.add(RowFactory.create(data.users()[i], data.items()[i], data.values()[i]));
        return spark.createDataFrame(rows, SCHEMA);
    }

    static ALS als(int rank, double reg, int iterations, long seed) {
        return new ALS().setRank(rank).setRegParam(reg).setMaxIter(iterations).setSeed(seed)
                .setUserCol("user").setItemCol("item").setRatingCol("rating").setNumBlocks(2);
    }

    /** Explicit ALS: RMSE of its predictions on the test pairs (every test user and item is in the training part). */
    static double explicitRmse(Interactions train, Interactions test, int rank, double reg, int iterations, long seed) {
        SparkSession spark = TestSpark.session();
        ALSModel model = als(rank, reg, iterations, seed).fit(frame(spark, train));
        float[][] users = factors(model.userFactors(), train.numUsers(), rank);
        float[][] items = factors(model.itemFactors(), train.numItems(), rank);
        float[] predicted = new float[test.size()];
        for (int i = 0; i < test.size(); i++) predicted[i] = dot(users[test.users()[i]], items[test.items()[i]]);
        return RecommenderMetrics.rmse(predicted, test);
    }

    /** Implicit ALS (implicitPrefs, confidence 1 + alpha·r): top-k metrics of its scores u·v. */
    static Map<String, Double> implicitRanking(Interactions train, Interactions test, int rank, double reg, double alpha,
                                               int iterations, long seed, int k) {
        SparkSession spark = TestSpark.session();
        ALSModel model = als(rank, reg, iterations, seed).setImplicitPrefs(true).setAlpha(alpha).fit(frame(spark, train));
        float[][] users = factors(model.userFactors(), train.numUsers(), rank);
        float[][] items = factors(model.itemFactors(), train.numItems(), rank);
        return RecommenderMetrics.ranking(u -> {
            float[] s = new float[items.length];
            for (int i = 0; i < items.length; i++) s[i] = dot(users[u], items[i]);
            return s;
        }, train, test, k);
    }

    /** The factor table as rows by id (an id ALS never saw keeps zeros). */
    private static float[][] factors(Dataset<Row> table, int count, int rank) {
        float[][] out = new float[count][rank];
        for (Row r : table.collectAsList()) {
            List<Object> f = r.getList(1);
            for (int j = 0; j < rank; j++) out[r.getInt(0)][j] = ((Number) f.get(j)).floatValue();
        }
        return out;
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int j = 0; j < a.length; j++) s += a[j] * b[j];
        return s;
    }
}
