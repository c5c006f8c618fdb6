package gradus.spark;

import gradus.data.Batch;
import gradus.data.TensorDataset;
import gradus.io.ModelDirectory;
import gradus.nn.Layers;
import gradus.nn.Module;
import gradus.optim.ClipGrad;
import gradus.optim.Optimizer;
import gradus.optim.Optimizers;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import gradus.train.Loss;
import org.apache.spark.BarrierTaskContext;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of one barrier task: a replica of the model trained on this partition, its gradients averaged with the
 * other tasks' through a {@link RingAllReduce} every step, so all replicas take the same optimizer steps. Rank 0
 * saves a checkpoint every K steps; a retried stage starts from the last one.
 */
final class DataParallelWorker extends AbstractFunction1<scala.collection.Iterator<Tuple2<Long, Example>>, scala.collection.Iterator<WorkerResult>>
        implements Serializable {
    private final TrainingSpec spec;

    DataParallelWorker(TrainingSpec spec) {
        this.spec = spec;
    }

    @Override
    public scala.collection.Iterator<WorkerResult> apply(scala.collection.Iterator<Tuple2<Long, Example>> rows) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        try {
            WorkerResult result = train(ctx, CollectionConverters.asJava(rows));
            List<WorkerResult> out = result == null ? List.of() : List.of(result);
            return CollectionConverters.asScala(out.iterator());
        } catch (IOException e) {
            throw new UncheckedIOException("worker " + ctx.partitionId() + " (stage attempt " + ctx.stageAttemptNumber() + "): " + e.getMessage(), e);
        }
    }

    private WorkerResult train(BarrierTaskContext ctx, java.util.Iterator<Tuple2<Long, Example>> rows) throws IOException {
        int rank = ctx.partitionId();
        ShardPlan plan = spec.plan();
        if (ctx.getTaskInfos().length != plan.workers()) {
            throw new IllegalStateException("the barrier stage has " + ctx.getTaskInfos().length + " tasks, the plan " + plan.workers());
        }
        TensorDataset local = localData(rows, rank);
        Module model = Layers.fromConfig(spec.modelConfig());
        model.loadStateDict(spec.initial().toStateDict());
        Optimizer optimizer = Optimizers.fromConfig(spec.optimizerConfig(), model.parameters());
        Loss loss = Loss.named(spec.loss(), 0f);
        Progress progress = resume(model, optimizer);
        String[] starts = ctx.allGather(Integer.toString(progress.step));
        for (String s : starts) {
            if (Integer.parseInt(s) != progress.step) {
                throw new IllegalStateException("workers disagree on the checkpoint to resume from: steps " + String.join(", ", starts));
            }
        }
        int resumedAt = progress.step;
        String host = ctx.getTaskInfos()[rank].address();
        GradientBuckets buckets = new GradientBuckets(model.parameters(), spec.bucketFloats());
        long bytesPerStep = 0;
        try (RingAllReduce ring = new RingAllReduce(rank, plan.workers(), hostOf(host), ctx::allGather)) {
            long start = System.nanoTime(); // after the set-up: the time of the steps alone
            int[] order = null;
            int orderEpoch = -1;
            while (progress.step < spec.totalSteps()) {
                int epoch = progress.step / plan.stepsPerEpoch(), k = progress.step % plan.stepsPerEpoch();
                if (epoch != orderEpoch) {
                    order = plan.localOrder(rank, epoch);
                    orderEpoch = epoch;
                }
                int[] range = plan.localRange(rank, k);
                int count = range[1] - range[0];
                model.train();
                optimizer.zeroGrad();
                float localLoss = 0;
                if (count > 0) {
                    Batch batch = local.get(Arrays.copyOfRange(order, range[0], range[1]));
                    Tensor objective = loss.compute(model.forward(batch.x()), batch);
                    localLoss = objective.item();
                    objective.backward();
                }
                long sentBefore = ring.bytesSent();
                float[] stats = buckets.average(count, localLoss, ring);
                bytesPerStep = ring.bytesSent() - sentBefore;
                if (spec.clipGradNorm() > 0) ClipGrad.clipGradNorm(model.parameters(), spec.clipGradNorm());
                optimizer.step();
                progress.step++;
                progress.lossSum += stats[1];
                progress.seen += (long) stats[0];
                if (k == plan.stepsPerEpoch() - 1) {
                    progress.epochLosses.add(progress.lossSum / progress.seen);
                    progress.lossSum = 0;
                    progress.seen = 0;
                }
                if (rank == 0 && spec.checkpointDir() != null && progress.step % spec.checkpointEvery() == 0) {
                    checkpoint(model, optimizer, progress);
                }
                if (spec.listener() != null) {
                    try {
                        spec.listener().afterStep(rank, progress.step, stats[1] / stats[0]);
                    } catch (Exception e) {
                        throw new IllegalStateException("step listener failed on worker " + rank + " after step " + progress.step + ": " + e.getMessage(), e);
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (rank != 0) return null;
            long examples = (long) (spec.totalSteps() - resumedAt) * plan.globalBatchSize();
            return new WorkerResult(Weights.of(model.stateDict()), List.copyOf(progress.epochLosses), spec.totalSteps() - resumedAt,
                    resumedAt, Math.min(examples, (long) plan.examples() * spec.epochs()), seconds, ring.seconds(), bytesPerStep);
        }
    }

    /** "host:port" or "host" (the executor's address) to the host alone. */
    static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon > 0 && address.indexOf(':') == colon ? address.substring(0, colon) : address;
    }

    /** This partition's examples, sorted by input index (the plan's local order refers to that order). */
    private TensorDataset localData(java.util.Iterator<Tuple2<Long, Example>> rows, int rank) {
        List<Tuple2<Long, Example>> list = new ArrayList<>();
        rows.forEachRemaining(list::add);
        list.sort(Comparator.comparingLong(Tuple2::_1));
        int expected = spec.plan().localSize(rank);
        if (list.size() != expected) {
            throw new IllegalStateException("worker " + rank + " received " + list.size() + " examples, the plan expects " + expected);
        }
        int width = 1;
        for (int d : spec.exampleShape()) width *= d;
        int n = list.size();
        float[] x = new float[n * width];
        for (int i = 0; i < n; i++) {
            float[] row = list.get(i)._2().x();
            if (row.length != width) {
                throw new IllegalArgumentException("example " + list.get(i)._1() + " has " + row.length + " features, expected "
                        + width + " (shape " + Arrays.toString(spec.exampleShape()) + ")");
            }
            System.arraycopy(row, 0, x, i * width, width);
        }
        int[] shape = new int[spec.exampleShape().length + 1];
        shape[0] = n;
        System.arraycopy(spec.exampleShape(), 0, shape, 1, spec.exampleShape().length);
        Tensor xs = Tensor.of(x, shape);
        if (spec.labeled()) {
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = list.get(i)._2().label();
            return new TensorDataset(xs, IntTensor.of(labels, n));
        }
        int t = spec.targetSize();
        float[] targets = new float[n * t];
        for (int i = 0; i < n; i++) System.arraycopy(list.get(i)._2().target(), 0, targets, i * t, t);
        return new TensorDataset(xs, Tensor.of(targets, n, t));
    }

    /** Steps done and the running loss of the epoch in progress. */
    private static final class Progress {
        int step;
        double lossSum;
        long seen;
        final List<Double> epochLosses = new ArrayList<>();
    }

    private Progress resume(Module model, Optimizer optimizer) throws IOException {
        Progress p = new Progress();
        if (spec.checkpointDir() == null) return p;
        Path dir = Path.of(spec.checkpointDir());
        if (!Files.exists(dir.resolve(ModelDirectory.CONFIG_FILE))) return p;
        model.loadStateDict(ModelDirectory.load(dir).model().stateDict());
        var state = ModelDirectory.loadTrainingState(dir).orElseThrow(() -> new IOException(dir + ": checkpoint without training state"));
        optimizer.loadStateDict(state.optimizer());
        Map<String, Object> t = state.trainer();
        p.step = ((Number) t.get("global_step")).intValue();
        p.lossSum = ((Number) t.get("loss_sum")).doubleValue();
        p.seen = ((Number) t.get("seen")).longValue();
        for (Object v : (List<?>) t.get("epoch_losses")) p.epochLosses.add(((Number) v).doubleValue());
        return p;
    }

    /** The replicas are identical, so rank 0's state is the job's; the save is atomic (a killed save leaves the last one). */
    private void checkpoint(Module model, Optimizer optimizer, Progress p) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("global_step", p.step);
        state.put("loss_sum", p.lossSum);
        state.put("seen", p.seen);
        state.put("epoch_losses", List.copyOf(p.epochLosses));
        state.put("optimizer", optimizer.config());
        ModelDirectory.save(Path.of(spec.checkpointDir()), model, Map.of(), new ModelDirectory.TrainingState(optimizer.stateDict(), state));
    }
}
