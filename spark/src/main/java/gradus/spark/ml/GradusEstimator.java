package gradus.spark.ml;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.nn.Layers;
import gradus.nn.Module;
import gradus.spark.DistributedTrainer;
import gradus.spark.Example;
import gradus.tensor.Rng;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Spark ML {@link Estimator} that trains a Gradus model on a DataFrame with {@link DistributedTrainer} (one barrier
 * task per worker, gradients all-reduced every step). The model is given as its Gradus config in JSON, as in a
 * recipe's {@code model:} section; the loss decides the task (cross_entropy: classification, mse or l1: regression).
 * <pre>{@code
 * new GradusEstimator().setModel("{\"type\":\"Sequential\",\"layers\":[...]}").setLoss("cross_entropy")
 *     .setEpochs(5).setBatchSize(64).setWorkers(2).fit(train)
 * }</pre>
 */
public final class GradusEstimator extends Estimator<GradusModel> implements DefaultParamsWritable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final String uid;
    private final Param<String> featuresCol, labelCol, predictionCol, probabilityCol, model, optimizer, loss, checkpointDir;
    private final IntParam epochs, batchSize, workers, checkpointEvery;
    private final LongParam seed;
    private final IntArrayParam inputShape;

    public GradusEstimator() {
        this(Identifiable$.MODULE$.randomUID("gradus"));
    }

    public GradusEstimator(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol", "features column: a vector or an array of numbers");
        labelCol = new Param<>(this, "labelCol", "label column: a class index (classification) or a number (regression)");
        predictionCol = new Param<>(this, "predictionCol", "prediction column the model adds");
        probabilityCol = new Param<>(this, "probabilityCol", "class probabilities column the model adds (classification)");
        model = new Param<>(this, "model", "the model's Gradus config as JSON, e.g. {\"type\":\"Sequential\",\"layers\":[...]}");
        optimizer = new Param<>(this, "optimizer", "the optimizer's Gradus config as JSON, e.g. {\"type\":\"adam\",\"lr\":0.001}");
        loss = new Param<>(this, "loss", "cross_entropy (classification), mse or l1 (regression)");
        checkpointDir = new Param<>(this, "checkpointDir", "shared directory for checkpoints (empty: none)");
        epochs = new IntParam(this, "epochs", "passes over the data", ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "global batch size (a multiple of workers)", ParamValidators.gtEq(1));
        workers = new IntParam(this, "workers", "barrier tasks training replicas", ParamValidators.gtEq(1));
        checkpointEvery = new IntParam(this, "checkpointEvery", "steps between checkpoints", ParamValidators.gtEq(1));
        seed = new LongParam(this, "seed", "seed of the initial weights and the shuffles");
        inputShape = new IntArrayParam(this, "inputShape", "shape of one example, e.g. [1, 28, 28] (empty: the features as a vector)");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(optimizer, "{\"type\":\"adam\",\"lr\":0.001}");
        setDefault(loss, "cross_entropy");
        setDefault(checkpointDir, "");
        setDefault(epochs, 5);
        setDefault(batchSize, 64);
        setDefault(workers, 2);
        setDefault(checkpointEvery, 100);
        setDefault(seed, 0L);
        setDefault(inputShape, new int[0]);
    }

    public static MLReader<GradusEstimator> read() {
        return new DefaultParamsReader<>();
    }

    public static GradusEstimator load(String path) {
        return read().load(path);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> model() { return model; }
    public Param<String> optimizer() { return optimizer; }
    public Param<String> loss() { return loss; }
    public Param<String> checkpointDir() { return checkpointDir; }
    public IntParam epochs() { return epochs; }
    public IntParam batchSize() { return batchSize; }
    public IntParam workers() { return workers; }
    public IntParam checkpointEvery() { return checkpointEvery; }
    public LongParam seed() { return seed; }
    public IntArrayParam inputShape() { return inputShape; }

    public GradusEstimator setFeaturesCol(String v) { set(featuresCol, v); return this; }
    public GradusEstimator setLabelCol(String v) { set(labelCol, v); return this; }
    public GradusEstimator setPredictionCol(String v) { set(predictionCol, v); return this; }
    public GradusEstimator setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public GradusEstimator setModel(String json) { parse(json, "model"); set(model, json); return this; }
    public GradusEstimator setOptimizer(String json) { parse(json, "optimizer"); set(optimizer, json); return this; }
    public GradusEstimator setLoss(String v) { gradus.train.Loss.named(v, 0f); set(loss, v); return this; }
    public GradusEstimator setCheckpointDir(String v) { set(checkpointDir, v); return this; }
    public GradusEstimator setEpochs(int v) { set(epochs, v); return this; }
    public GradusEstimator setBatchSize(int v) { set(batchSize, v); return this; }
    public GradusEstimator setWorkers(int v) { set(workers, v); return this; }
    public GradusEstimator setCheckpointEvery(int v) { set(checkpointEvery, v); return this; }
    public GradusEstimator setSeed(long v) { set(seed, v); return this; }
    public GradusEstimator setInputShape(int... v) { set(inputShape, v); return this; }

    /** IntParam and LongParam are Param&lt;Object&gt; to Java. */
    private int intValue(IntParam p) {
        return (Integer) getOrDefault(p);
    }

    private long longValue(LongParam p) {
        return (Long) getOrDefault(p);
    }

    boolean classification() {
        String l = $(loss).toLowerCase();
        return !(l.equals("mse") || l.equals("l1"));
    }

    static Map<String, Object> parse(String json, String param) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new IllegalArgumentException("param '" + param + "' is not a JSON object: " + e.getMessage(), e);
        }
    }

    @Override
    public GradusModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        if (!isDefined(model)) throw new IllegalArgumentException("param 'model' is not set: give the model's Gradus config as JSON");
        StructType schema = dataset.schema();
        int fi = schema.fieldIndex($(featuresCol)), li = schema.fieldIndex($(labelCol));
        boolean classification = classification();
        JavaRDD<Example> examples = dataset.toDF().select($(featuresCol), $(labelCol)).toJavaRDD().map(row -> toExample(row, classification))
                .cache(); // the trainer reads it several times (size, indices, shards): the pipeline before it runs once
        Rng.manualSeed(longValue(seed));
        Module net = Layers.fromConfig(parse($(model), "model"));
        int[] shape = $(inputShape).length > 0 ? $(inputShape) : new int[]{examples.first().x().length};
        DistributedTrainer trainer = DistributedTrainer.of(net).optimizer(parse($(optimizer), "optimizer")).loss($(loss))
                .batchSize(intValue(batchSize)).epochs(intValue(epochs)).workers(intValue(workers)).seed(longValue(seed));
        if (!$(checkpointDir).isEmpty()) trainer.checkpoint(Path.of($(checkpointDir)), intValue(checkpointEvery));
        DistributedTrainer.Result result;
        try {
            result = trainer.fit(examples, shape);
        } finally {
            examples.unpersist(false);
        }

        Map<String, Object> card = new LinkedHashMap<>();
        card.put("task", classification ? "classification" : "regression");
        card.put("input_shape", shape);
        card.put("loss", $(loss));
        List<String> classes = classNames(schema, $(labelCol));
        if (classes != null) card.put("class_names", classes);
        card.put("training", Map.of("epochs", intValue(epochs), "batch_size", intValue(batchSize), "workers", intValue(workers),
                "epoch_losses", result.epochLosses(), "seconds", result.seconds(), "all_reduce_seconds", result.allReduceSeconds()));
        GradusModel fitted = new GradusModel(uid, result.model(), card);
        copyValues(fitted, extractParamMap());
        fitted.setParent(this);
        return fitted;
    }

    private static Example toExample(Row row, boolean classification) {
        float[] x = FeatureColumns.features(row, 0);
        double label = FeatureColumns.label(row, 1);
        if (!classification) return Example.regression(x, (float) label);
        if (label < 0 || label != Math.rint(label)) {
            throw new IllegalArgumentException("label " + label + " is not a class index (0, 1, 2, ...) in row " + row);
        }
        return Example.labeled(x, (int) label);
    }

    /** The class names a StringIndexer recorded in the label column's metadata, or null. */
    private static List<String> classNames(StructType schema, String label) {
        Attribute a = Attribute.fromStructField(schema.apply(label));
        if (a instanceof NominalAttribute n && n.values().isDefined()) return Arrays.asList(n.values().get());
        return null;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureColumns.check(schema, $(featuresCol), $(labelCol));
        return GradusModel.outputSchema(schema, $(predictionCol), classification() ? $(probabilityCol) : null);
    }

    @Override
    public GradusEstimator copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
