package gradus.spark;

import gradus.data.Batch;
import gradus.data.TensorDataset;
import gradus.nn.Layers;
import gradus.nn.Module;
import gradus.optim.Optimizers;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Loss;
import gradus.train.Trainer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark's local-cluster mode: a standalone master and two executor JVMs of one core each on this machine. One
 * executor JVM is killed (halted) in the middle of training; Spark replaces it, reruns the barrier stage, and the
 * workers resume from the last checkpoint to the weights of one process training on the same batches.
 */
class ExecutorKillTest {
    @Test
    void trainingSurvivesTheLossOfAnExecutorJvm(@TempDir Path tmp) throws Exception {
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        TestSpark.stop();
        SparkConf conf = new SparkConf().setMaster("local-cluster[2,1,1024]").setAppName("gradus-executor-kill")
                .set("spark.ui.enabled", "false")
                // a barrier stage waits for enough free slots (the executors starting, the killed one replaced):
                // check every second instead of every 15
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s")
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "300")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.extraJavaOptions", "-Dgradus.log=warn -Dgradus.threads=1");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("ERROR");
            Rng.manualSeed(8);
            int n = 120;
            Rng rng = new Rng(4);
            float[] x = new float[n * 6];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = i % 2;
                for (int j = 0; j < 6; j++) x[i * 6 + j] = (float) rng.nextGaussian() + (y[i] == 1 ? 1f : -1f) * (j < 3 ? 1 : 0);
            }
            TensorDataset data = new TensorDataset(Tensor.of(x, n, 6), IntTensor.of(y, n));
            Map<String, Object> mlp = Map.of("type", "Sequential", "layers", List.of(
                    Map.of("type", "Linear", "in", 6, "out", 8), Map.of("type", "Tanh"), Map.of("type", "Linear", "in", 8, "out", 2)));
            Map<String, Object> adam = Map.of("type", "adam", "lr", 0.01);
            Module model = Layers.fromConfig(mlp);
            Map<String, Tensor> init = Weights.of(model.stateDict()).toStateDict();
            String marker = tmp.resolve("killed").toString();
            var result = DistributedTrainer.of(model).optimizer(adam).batchSize(20).epochs(3).workers(2).seed(6)
                    .checkpoint(tmp.resolve("checkpoint"), 5)
                    .onStep((rank, step, loss) -> {
                        if (rank == 1 && step == 12 && !Files.exists(Path.of(marker))) {
                            Files.createFile(Path.of(marker));
                            Runtime.getRuntime().halt(137); // the executor JVM dies as if killed
                        }
                    })
                    .fit(sc, data);
            assertTrue(Files.exists(Path.of(marker)), "an executor was killed");
            assertEquals(10, result.resumedAtStep(), "resumed from the checkpoint of step 10");

            ShardPlan plan = new ShardPlan(n, 2, 20, 6, true);
            Module reference = Layers.fromConfig(mlp);
            reference.loadStateDict(init);
            Trainer trainer = Trainer.of(reference).optimizer(Optimizers.fromConfig(adam, reference.parameters())).loss(Loss.crossEntropy());
            for (int e = 0; e < 3; e++) {
                for (int k = 0; k < plan.stepsPerEpoch(); k++) {
                    Batch batch = data.get(plan.globalBatch(e, k));
                    trainer.trainStep(batch);
                }
            }
            double diff = 0, scale = 0;
            for (var entry : reference.stateDict().entrySet()) {
                float[] a = result.model().stateDict().get(entry.getKey()).toArray(), b = entry.getValue().toArray();
                for (int i = 0; i < b.length; i++) {
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                    scale = Math.max(scale, Math.abs(b[i]));
                }
            }
            assertTrue(diff / scale < 1e-5, "after the executor loss vs one process: max relative weight difference " + diff / scale);
        }
    }
}
