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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two barrier tasks on local Spark against one process replaying the same global batches
 * ({@link ShardPlan#globalBatch}) with the core Trainer: the weights must agree to float rounding.
 */
class DataParallelTest {
    private static final Map<String, Object> ADAM = Map.of("type", "adam", "lr", 0.01);

    /** Two noisy classes in 6 dimensions: odd size, so the last global batch is short and unevenly split. */
    private static TensorDataset blobs(int n, long seed) {
        Rng rng = new Rng(seed);
        float[] x = new float[n * 6];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3 == 0 ? 1 : 0;
            for (int j = 0; j < 6; j++) x[i * 6 + j] = (float) rng.nextGaussian() + (y[i] == 1 ? 1.5f : -0.5f) * (j % 2 == 0 ? 1 : -1);
        }
        return new TensorDataset(Tensor.of(x, n, 6), IntTensor.of(y, n));
    }

    private static Map<String, Object> mlp() {
        return Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "Linear", "in", 6, "out", 16), Map.of("type", "Tanh"),
                Map.of("type", "Linear", "in", 16, "out", 2)));
    }

    /** One process, batch B, the batches the plan lists, through the core Trainer's step. */
    private static Module singleProcess(Map<String, Object> config, Map<String, Tensor> init, TensorDataset data, ShardPlan plan,
                                        int epochs, Map<String, Object> optimizer, String loss) {
        Module model = Layers.fromConfig(config);
        model.loadStateDict(init);
        Trainer trainer = Trainer.of(model).optimizer(Optimizers.fromConfig(optimizer, model.parameters())).loss(Loss.named(loss, 0f));
        for (int e = 0; e < epochs; e++) {
            for (int k = 0; k < plan.stepsPerEpoch(); k++) {
                Batch batch = data.get(plan.globalBatch(e, k));
                trainer.trainStep(batch);
            }
        }
        return model;
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> state) {
        return Weights.of(state).toStateDict();
    }

    /** max |a − b| / max |b| over all parameters. */
    private static double relativeDifference(Module a, Module b) {
        double diff = 0, scale = 0;
        var sa = a.stateDict();
        for (var e : b.stateDict().entrySet()) {
            float[] x = sa.get(e.getKey()).toArray(), y = e.getValue().toArray();
            for (int i = 0; i < y.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(y[i]));
            }
        }
        return diff / scale;
    }

    private static double changed(Map<String, Tensor> init, Module trained) {
        double d = 0;
        for (var e : trained.stateDict().entrySet()) {
            float[] x = init.get(e.getKey()).toArray(), y = e.getValue().toArray();
            for (int i = 0; i < y.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
        }
        return d;
    }

    @Test
    void mlpOnTwoWorkersMatchesOneProcessWithTheGlobalBatch() {
        Rng.manualSeed(7);
        TensorDataset data = blobs(203, 1);
        Module model = Layers.fromConfig(mlp());
        Map<String, Tensor> init = copy(model.stateDict());
        var result = DistributedTrainer.of(model).optimizer(ADAM).loss("cross_entropy").batchSize(32).epochs(2).workers(2).seed(11)
                .fit(TestSpark.context(), data);
        System.out.printf("MLP, 2 workers: %d steps in %.2f s of training (%.2f s in all-reduce, %d bytes sent per step)%n",
                result.steps(), result.seconds(), result.allReduceSeconds(), result.bytesSentPerStep());
        ShardPlan plan = new ShardPlan(203, 2, 32, 11, true);
        assertEquals(2 * 7, result.steps(), "203 examples in global batches of 32: 7 steps an epoch");
        Module reference = singleProcess(mlp(), init, data, plan, 2, ADAM, "cross_entropy");
        assertTrue(changed(init, reference) > 0.05, "training moved the weights");
        double rel = relativeDifference(result.model(), reference);
        assertTrue(rel < 1e-5, "2 workers vs one process: max relative weight difference " + rel);
        assertEquals(2, result.epochLosses().size());
        assertTrue(result.epochLosses().get(1) < result.epochLosses().get(0), "loss falls: " + result.epochLosses());
    }

    @Test
    void cnnOnTwoWorkersMatchesOneProcess() {
        Rng.manualSeed(3);
        int n = 90;
        Rng rng = new Rng(5);
        float[] x = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int p = 0; p < 64; p++) {
                boolean stripe = y[i] == 0 ? p / 8 == 3 : y[i] == 1 ? p % 8 == 3 : p / 8 == p % 8;
                x[i * 64 + p] = (stripe ? 1f : 0f) + 0.3f * (float) rng.nextGaussian();
            }
        }
        TensorDataset data = new TensorDataset(Tensor.of(x, n, 1, 8, 8), IntTensor.of(y, n));
        Map<String, Object> cnn = Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "Conv2d", "in", 1, "out", 4, "kernel", 3, "padding", 1, "activation", "relu"),
                Map.of("type", "MaxPool2d", "kernel", 2),
                Map.of("type", "Flatten"),
                Map.of("type", "Linear", "in", 64, "out", 3)));
        Module model = Layers.fromConfig(cnn);
        Map<String, Tensor> init = copy(model.stateDict());
        Map<String, Object> sgd = Map.of("type", "sgd", "lr", 0.1, "momentum", 0.9);
        var result = DistributedTrainer.of(model).optimizer(sgd).batchSize(16).epochs(2).workers(2).seed(2)
                .bucketFloats(50) // several buckets: conv bias, conv weight, linear bias, linear weight
                .fit(TestSpark.context(), data);
        Module reference = singleProcess(cnn, init, data, new ShardPlan(n, 2, 16, 2, true), 2, sgd, "cross_entropy");
        assertTrue(changed(init, reference) > 0.05, "training moved the weights");
        double rel = relativeDifference(result.model(), reference);
        assertTrue(rel < 1e-5, "2 workers vs one process: max relative weight difference " + rel);
    }

    @Test
    void lstmOnTwoWorkersMatchesOneProcess() {
        Rng.manualSeed(4);
        int n = 64, t = 6;
        Rng rng = new Rng(9);
        float[] ids = new float[n * t];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < t; j++) ids[i * t + j] = 1 + (y[i] == 1 && j == 2 ? 9 : rng.nextInt(8));
        }
        TensorDataset data = new TensorDataset(Tensor.of(ids, n, t), IntTensor.of(y, n));
        Map<String, Object> lstm = Map.of("type", "LstmClassifier", "vocab_size", 11, "embed_dim", 8, "hidden", 8, "classes", 2);
        Module model = Layers.fromConfig(lstm);
        Map<String, Tensor> init = copy(model.stateDict());
        var result = DistributedTrainer.of(model).optimizer(ADAM).batchSize(16).epochs(1).workers(2).seed(3)
                .fit(TestSpark.context(), data);
        Module reference = singleProcess(lstm, init, data, new ShardPlan(n, 2, 16, 3, true), 1, ADAM, "cross_entropy");
        double rel = relativeDifference(result.model(), reference);
        assertTrue(changed(init, reference) > 0.01, "training moved the weights");
        assertTrue(rel < 1e-5, "2 workers vs one process: max relative weight difference " + rel);
    }

    @Test
    void aWorkerThatDiesIsRetriedAndResumesFromTheLastCheckpoint(@TempDir Path tmp) throws Exception {
        Rng.manualSeed(8);
        TensorDataset data = blobs(150, 2);
        Module model = Layers.fromConfig(mlp());
        Map<String, Tensor> init = copy(model.stateDict());
        String marker = tmp.resolve("failed-once").toString(); // a String: the listener travels to the tasks
        var result = DistributedTrainer.of(model).optimizer(ADAM).batchSize(20).epochs(3).workers(2).seed(5)
                .checkpoint(tmp.resolve("checkpoint"), 4)
                .onStep((rank, step, loss) -> {
                    // worker 1 dies after step 10, once: the last checkpoint is step 8
                    if (rank == 1 && step == 10 && !Files.exists(Path.of(marker))) {
                        Files.createFile(Path.of(marker));
                        throw new IllegalStateException("worker killed by the test");
                    }
                })
                .fit(TestSpark.context(), data);
        assertTrue(Files.exists(Path.of(marker)), "the failure happened");
        assertEquals(8, result.resumedAtStep(), "the retried stage starts from the checkpoint of step 8");
        assertEquals(3 * 8 - 8, result.steps(), "150 examples, batch 20: 8 steps an epoch, 24 in all, 16 after the resume");
        assertEquals(3, result.epochLosses().size(), "the epoch losses before the failure come from the checkpoint");

        Module uninterrupted = Layers.fromConfig(mlp());
        uninterrupted.loadStateDict(init);
        DistributedTrainer.of(uninterrupted).optimizer(ADAM).batchSize(20).epochs(3).workers(2).seed(5).fit(TestSpark.context(), data);
        assertEquals(0, relativeDifference(result.model(), uninterrupted), 1e-7, "resumed run vs uninterrupted run");
    }
}
