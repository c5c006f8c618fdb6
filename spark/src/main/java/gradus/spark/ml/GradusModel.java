package gradus.spark.ml;

import gradus.io.ModelDirectory;
import gradus.nn.Module;
import gradus.spark.Weights;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A trained Gradus model as a Spark ML {@link org.apache.spark.ml.Transformer}: {@link #transform} adds a prediction
 * column (the class index, or the regression output) and, for classifiers, a probability vector. The weights travel
 * to each executor once (a broadcast) and the model is built once per executor JVM; each partition is scored in
 * batches of {@code batchSize} rows. {@link #write} saves the Spark ML metadata beside a normal Gradus model
 * directory in {@code PATH/model} ({@link ModelDirectory}), which the CLI and the server load as they are.
 */
public final class GradusModel extends Model<GradusModel> implements MLWritable {
    private final String uid;
    private final Module network;
    private final Map<String, Object> card;
    private final Param<String> featuresCol, predictionCol, probabilityCol;
    private final IntArrayParam inputShape;
    private final IntParam batchSize;
    /** The weights as sent to the executors, once per model: every transform reuses the executors' copy. */
    private Broadcast<Weights> broadcast;

    GradusModel(String uid, Module network, Map<String, Object> card) {
        this.uid = uid;
        this.network = network;
        this.card = card;
        featuresCol = new Param<>(this, "featuresCol", "features column: a vector or an array of numbers");
        predictionCol = new Param<>(this, "predictionCol", "prediction column the model adds");
        probabilityCol = new Param<>(this, "probabilityCol", "class probabilities column the model adds (classification)");
        inputShape = new IntArrayParam(this, "inputShape", "shape of one example (empty: the features as a vector)");
        batchSize = new IntParam(this, "batchSize", "rows per forward pass when scoring", ParamValidators.gtEq(1));
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(inputShape, new int[0]);
        setDefault(batchSize, 256);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public IntArrayParam inputShape() { return inputShape; }
    public IntParam batchSize() { return batchSize; }

    public GradusModel setFeaturesCol(String v) { set(featuresCol, v); return this; }
    public GradusModel setPredictionCol(String v) { set(predictionCol, v); return this; }
    public GradusModel setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public GradusModel setBatchSize(int v) { set(batchSize, v); return this; }

    /** The trained network (weights on the driver). */
    public Module network() {
        return network;
    }

    /** What config.json records beside the architecture: task, input shape, class names, training summary. */
    public Map<String, Object> card() {
        return card;
    }

    boolean classification() {
        return "classification".equals(card.get("task"));
    }

    static StructType outputSchema(StructType schema, String prediction, String probability) {
        StructType out = schema.add(prediction, DataTypes.DoubleType, false);
        return probability == null ? out : out.add(probability, SQLDataTypes.VectorType(), false);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureColumns.check(schema, $(featuresCol), null);
        return outputSchema(schema, $(predictionCol), classification() ? $(probabilityCol) : null);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        Broadcast<Weights> weights = broadcast(dataset.sparkSession().sparkContext());
        int[] shape = $(inputShape).length > 0 ? $(inputShape) : shapeOf(card.get("input_shape"));
        var scorer = new PartitionScorer(uid + "/" + weights.id(), GradusEstimator.JSON.convertValue(network.config(), Map.class),
                weights, shape, classification(), (Integer) getOrDefault(batchSize), dataset.schema().fieldIndex($(featuresCol)));
        return dataset.toDF().mapPartitions(scorer, Encoders.row(out));
    }

    private synchronized Broadcast<Weights> broadcast(org.apache.spark.SparkContext sc) {
        if (broadcast == null) broadcast = sc.broadcast(Weights.of(network.stateDict()), ClassTag$.MODULE$.apply(Weights.class));
        return broadcast;
    }

    private static int[] shapeOf(Object v) {
        if (v instanceof int[] a) return a;
        if (v instanceof java.util.List<?> list) return list.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
        throw new IllegalStateException("the model card has no input_shape");
    }

    @Override
    public GradusModel copy(ParamMap extra) {
        GradusModel copy = new GradusModel(uid, network, card);
        copyValues(copy, extra);
        return copy.setParent(parent());
    }

    // ---------------------------------------------------------------- persistence

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<GradusModel> read() {
        return new Reader();
    }

    public static GradusModel load(String path) {
        return read().load(path);
    }

    /** {@code PATH/metadata} (Spark ML's params, as every stage writes) and {@code PATH/model} (a Gradus model directory). */
    private static final class Writer extends MLWriter {
        private final GradusModel instance;

        Writer(GradusModel instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(instance, path, sparkSession());
            Path local = null;
            try {
                local = Files.createTempDirectory("gradus-model");
                ModelDirectory.save(local, instance.network, instance.card);
                var target = new org.apache.hadoop.fs.Path(path, "model");
                FileSystem fs = target.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), target);
            } catch (IOException e) {
                throw new UncheckedIOException("saving the Gradus model to " + path + "/model: " + e.getMessage(), e);
            } finally {
                deleteQuietly(local);
            }
        }
    }

    private static final class Reader extends MLReader<GradusModel> {
        @Override
        public GradusModel load(String path) {
            var metadata = DefaultParamsReader.loadMetadata(path, sparkSession(), GradusModel.class.getName());
            Path local = null;
            try {
                local = Files.createTempDirectory("gradus-model");
                var source = new org.apache.hadoop.fs.Path(path, "model");
                FileSystem fs = source.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                Path copy = local.resolve("model");
                fs.copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(copy.toUri()), true);
                ModelDirectory.Loaded loaded = ModelDirectory.load(copy);
                Map<String, Object> card = new LinkedHashMap<>(loaded.config());
                for (String key : new String[]{"format", "format_version", "model"}) card.remove(key);
                GradusModel model = new GradusModel(metadata.uid(), loaded.model(), card);
                metadata.getAndSetParams(model, Option.empty());
                return model;
            } catch (IOException e) {
                throw new UncheckedIOException("loading the Gradus model from " + path + "/model: " + e.getMessage(), e);
            } finally {
                deleteQuietly(local);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary copy: the OS cleans up what is left
        }
    }
}
