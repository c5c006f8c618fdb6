package gradus.spark.bench;

import gradus.data.TensorDataset;
import gradus.data.datasets.FashionMnist;
import gradus.kernels.Machine;
import gradus.kernels.Parallel;
import gradus.nn.Layers;
import gradus.nn.Module;
import gradus.spark.DistributedTrainer;
import gradus.tensor.Rng;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Training throughput of the data-parallel trainer with 1 and 2 workers on local Spark (local[2]): a small CNN on
 * the first 6,000 Fashion-MNIST images, global batch 64, one epoch per run, runs alternating 1, 2, 1, 2 … after one
 * warm-up. Samples/s count the training steps only (not Spark's job set-up). Not a test: bench/spark-scaling.sh runs
 * it. Run with -Dgradus.threads=1 so that each worker computes on one core (2 workers × 1 core against 1 × 1).
 */
public final class DataParallelBench {
    private static final Map<String, Object> CNN = Map.of("type", "Sequential", "layers", List.of(
            Map.of("type", "Conv2d", "in", 1, "out", 8, "kernel", 3, "padding", 1, "activation", "relu"),
            Map.of("type", "MaxPool2d", "kernel", 2),
            Map.of("type", "Conv2d", "in", 8, "out", 16, "kernel", 3, "padding", 1, "activation", "relu"),
            Map.of("type", "MaxPool2d", "kernel", 2),
            Map.of("type", "Flatten"),
            Map.of("type", "Linear", "in", 784, "out", 10)));

    private DataParallelBench() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        System.out.printf("# %s; gradus kernel threads per JVM %d%n", Machine.current().describe(), Parallel.threads());
        TensorDataset all = FashionMnist.loadDir(Path.of(FashionMnist.SYSTEM_DIR), "train");
        int[] first = new int[6000];
        for (int i = 0; i < first.length; i++) first[i] = i;
        TensorDataset data = all.subset(first);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("gradus-bench")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        run(sc, data, 2, true);
        for (int r = 0; r < rounds; r++) {
            run(sc, data, 1, false);
            run(sc, data, 2, false);
        }
        spark.stop();
    }

    private static void run(JavaSparkContext sc, TensorDataset data, int workers, boolean warmUp) {
        Rng.manualSeed(1);
        Module model = Layers.fromConfig(CNN);
        var r = DistributedTrainer.of(model).optimizer(Map.of("type", "adam", "lr", 1e-3)).batchSize(64).epochs(1)
                .workers(workers).seed(1).fit(sc, data);
        double steps = r.steps();
        System.out.printf("{\"workers\": %d, \"warm_up\": %b, \"samples_per_s\": %.1f, \"step_ms\": %.2f, \"all_reduce_ms\": %.2f, "
                        + "\"all_reduce_fraction\": %.3f, \"bytes_sent_per_step\": %d, \"all_reduce_MB_per_s\": %.1f, \"loss\": %.4f}%n",
                workers, warmUp, r.samplesPerSecond(), 1000 * r.seconds() / steps, 1000 * r.allReduceSeconds() / steps,
                r.allReduceSeconds() / r.seconds(), r.bytesSentPerStep(),
                r.allReduceSeconds() > 0 ? r.bytesSentPerStep() * steps / r.allReduceSeconds() / 1e6 : 0, r.epochLosses().get(0));
    }
}
