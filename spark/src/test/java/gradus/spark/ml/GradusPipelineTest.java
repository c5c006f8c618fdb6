package gradus.spark.ml;

import gradus.data.TensorDataset;
import gradus.data.datasets.Boston;
import gradus.data.datasets.DataHome;
import gradus.data.datasets.FashionMnist;
import gradus.io.ModelDirectory;
import gradus.spark.TestSpark;
import gradus.tensor.Tensor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GradusEstimator and GradusModel inside Spark ML Pipelines on real data, scored by Spark's own evaluators. */
class GradusPipelineTest {
    private static final String MLP_13 = """
            {"type": "Sequential", "layers": [
              {"type": "Linear", "in": 13, "out": 32}, {"type": "ReLU"},
              {"type": "Linear", "in": 32, "out": 1}]}""";
    private static final String MLP_784 = """
            {"type": "Sequential", "layers": [
              {"type": "Linear", "in": 784, "out": 64}, {"type": "ReLU"},
              {"type": "Linear", "in": 64, "out": 10}]}""";

    @Test
    void bostonRegressionPipelineWithStringIndexerAssemblerAndScaler(@TempDir Path tmp) throws Exception {
        SparkSession spark = TestSpark.session();
        Path csv = DataHome.find(Boston.CSV);
        assertNotNull(csv, "boston.csv: " + DataHome.describe(Boston.CSV));
        Dataset<Row> all = spark.read().option("header", true).option("inferSchema", true).csv(csv.toString());
        assertEquals(506, all.count());
        Dataset<Row>[] parts = all.randomSplit(new double[]{0.8, 0.2}, 42);
        String[] numeric = {"crim", "zn", "indus", "chas", "nox", "rm", "age", "dis", "tax", "ptratio", "b", "lstat"};
        String[] assembled = Arrays.copyOf(numeric, 13);
        assembled[12] = "rad_index"; // rad (highway access) is categorical: indexed, then assembled
        var pipeline = new Pipeline().setStages(new PipelineStage[]{
                new StringIndexer().setInputCol("rad").setOutputCol("rad_index"),
                new VectorAssembler().setInputCols(assembled).setOutputCol("raw"),
                new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true),
                new GradusEstimator().setLabelCol("medv").setLoss("mse").setModel(MLP_13)
                        .setOptimizer("{\"type\": \"adam\", \"lr\": 0.01}").setEpochs(60).setBatchSize(32).setWorkers(2).setSeed(1)});
        PipelineModel fitted = pipeline.fit(parts[0]);
        Dataset<Row> scored = fitted.transform(parts[1]);
        double rmse = new RegressionEvaluator().setLabelCol("medv").setPredictionCol("prediction").setMetricName("rmse").evaluate(scored);
        // a linear regression on these features reaches about 4.7-5 on a held-out fifth
        var training = (java.util.Map<?, ?>) ((GradusModel) fitted.stages()[3]).card().get("training");
        System.out.printf("Boston: test RMSE %.3f, %s s of training steps, %s s of them in all-reduce%n", rmse,
                training.get("seconds"), training.get("all_reduce_seconds"));
        assertTrue(rmse < 4.5, "test RMSE " + rmse);

        // ML persistence: the pipeline reloads and scores the same; the Gradus stage is a normal model directory
        String saved = tmp.resolve("pipeline").toString();
        fitted.write().overwrite().save(saved);
        PipelineModel reloaded = PipelineModel.load(saved);
        assertEquals(rmse, new RegressionEvaluator().setLabelCol("medv").setMetricName("rmse").evaluate(reloaded.transform(parts[1])), 1e-9);
        Path modelDir;
        try (var stages = Files.list(Path.of(saved, "stages"))) {
            modelDir = stages.filter(p -> p.getFileName().toString().startsWith("3_")).findFirst().orElseThrow().resolve("model");
        }
        var loaded = ModelDirectory.load(modelDir);
        assertEquals("regression", loaded.config().get("task"));
        List<Row> rows = scored.select("features", "prediction").limit(5).collectAsList();
        for (Row r : rows) {
            double[] f = ((Vector) r.get(0)).toArray();
            float[] x = new float[f.length];
            for (int i = 0; i < f.length; i++) x[i] = (float) f[i];
            assertEquals(r.getDouble(1), loaded.predict(Tensor.of(x, 1, 13)).item(), 1e-5, "ModelDirectory.load predicts what transform did");
        }
    }

    @Test
    void fashionMnistClassifierWithStringIndexedLabels(@TempDir Path tmp) throws Exception {
        SparkSession spark = TestSpark.session();
        TensorDataset train = FashionMnist.loadDir(Path.of(FashionMnist.SYSTEM_DIR), "train");
        TensorDataset test = FashionMnist.loadDir(Path.of(FashionMnist.SYSTEM_DIR), "test");
        Dataset<Row> trainDf = frame(spark, train, 8000), testDf = frame(spark, test, 2000);
        var pipeline = new Pipeline().setStages(new PipelineStage[]{
                new StringIndexer().setInputCol("item").setOutputCol("label"),
                new GradusEstimator().setFeaturesCol("pixels").setModel(MLP_784).setEpochs(3).setBatchSize(64).setWorkers(2).setSeed(3)});
        PipelineModel fitted = pipeline.fit(trainDf);
        int builds = PartitionScorer.BUILDS.get();
        Dataset<Row> scored = fitted.transform(testDf).cache();
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
        System.out.printf("Fashion-MNIST (8,000 train rows, 3 epochs): test accuracy %.4f%n", accuracy);
        assertTrue(accuracy > 0.80, "test accuracy " + accuracy);
        assertEquals(builds + 1, PartitionScorer.BUILDS.get(), "one executor (local mode): the model is built once for all partitions");
        for (Row r : scored.select("probability").limit(20).collectAsList()) {
            assertEquals(1.0, Arrays.stream(((Vector) r.get(0)).toArray()).sum(), 1e-5, "probabilities sum to 1");
        }
        GradusModel model = (GradusModel) fitted.stages()[1];
        assertEquals(Arrays.asList(((StringIndexerModel) fitted.stages()[0]).labelsArray()[0]), model.card().get("class_names"),
                "the class names of the StringIndexer are recorded in config.json");
        String saved = tmp.resolve("gradus").toString();
        model.write().save(saved);
        GradusModel reloaded = GradusModel.load(saved);
        assertEquals(model.uid(), reloaded.uid());
        assertEquals("pixels", reloaded.getOrDefault(reloaded.featuresCol()));
        List<Row> before = scored.select("prediction").limit(50).collectAsList();
        List<Row> after = reloaded.transform(fitted.stages()[0].transform(testDf)).select("prediction").limit(50).collectAsList();
        assertEquals(before, after);
    }

    /** The first n examples as rows (pixels array<float>, item string: the class name). */
    private static Dataset<Row> frame(SparkSession spark, TensorDataset data, int n) {
        float[] x = data.x().contiguous().toArray();
        int[] labels = data.labels().data();
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Float> pixels = new ArrayList<>(784);
            for (int j = 0; j < 784; j++) pixels.add(x[i * 784 + j]);
            rows.add(RowFactory.create(pixels, FashionMnist.CLASS_NAMES.get(labels[i])));
        }
        StructType schema = new StructType()
                .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add("item", DataTypes.StringType, false);
        return spark.createDataFrame(rows, schema).repartition(2);
    }
}
