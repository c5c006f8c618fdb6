package gradus.spark;

import gradus.nn.Linear;
import gradus.nn.Sequential;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ring's sums against a plain sum in double, for odd sizes, more ranks than elements, and many buckets. */
class RingAllReduceTest {
    /** allGather among threads, as BarrierTaskContext.allGather does among tasks. */
    private static final class Gather {
        private final String[] slots;
        private final CyclicBarrier barrier;

        Gather(int n) {
            slots = new String[n];
            barrier = new CyclicBarrier(n);
        }

        String[] exchange(int rank, String message) {
            try {
                slots[rank] = message;
                barrier.await();
                String[] all = slots.clone();
                barrier.await();
                return all;
            } catch (InterruptedException | BrokenBarrierException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    interface RankBody {
        float[] run(RingAllReduce ring) throws Exception;
    }

    private static List<float[]> onRanks(int n, RankBody body) throws Exception {
        Gather gather = new Gather(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    try (RingAllReduce ring = new RingAllReduce(rank, n, "127.0.0.1", m -> gather.exchange(rank, m))) {
                        return body.run(ring);
                    }
                }));
            }
            List<float[]> out = new ArrayList<>();
            for (var f : futures) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static float[] values(int rank, int length) {
        Random random = new Random(1000 + rank);
        float[] a = new float[length];
        for (int i = 0; i < length; i++) a[i] = (float) random.nextGaussian();
        return a;
    }

    @Test
    void sumsOddSizesOnEveryRankIdentically() throws Exception {
        for (int ranks : new int[]{1, 2, 3, 4}) {
            for (int length : new int[]{0, 1, 2, 3, 7, 1001, 100_003}) {
                List<float[]> results = onRanks(ranks, ring -> {
                    float[] a = values(ring.rank(), length + 3);
                    ring.sumInPlace(a, 2, length); // a window: the elements around it must stay untouched
                    return a;
                });
                float[][] inputs = new float[ranks][];
                for (int r = 0; r < ranks; r++) inputs[r] = values(r, length + 3);
                for (int i = 0; i < length + 3; i++) {
                    if (i < 2 || i >= length + 2) {
                        for (int r = 0; r < ranks; r++) assertEquals(inputs[r][i], results.get(r)[i], 0f, "outside the window");
                        continue;
                    }
                    double expected = 0;
                    for (int r = 0; r < ranks; r++) expected += inputs[r][i];
                    for (int r = 0; r < ranks; r++) {
                        assertEquals(expected, results.get(r)[i], 1e-5 * Math.max(1, Math.abs(expected)),
                                ranks + " ranks, length " + length + ", element " + i + " on rank " + r);
                        // one path around the ring sums each chunk: every rank holds the very same float
                        assertEquals(results.get(0)[i], results.get(r)[i], 0f, "rank " + r + " differs from rank 0");
                    }
                }
            }
        }
    }

    @Test
    void bucketsAverageEveryGradientWeightedByItsRanksExamples() throws Exception {
        // 3 ranks, buckets of at most 10 floats: a larger tensor gets a bucket of its own
        int ranks = 3;
        int[] counts = {5, 3, 2};
        float[] losses = {0.5f, 2f, 1f};
        List<float[]> results = onRanks(ranks, ring -> {
            var model = new Sequential(new Linear(7, 5), new Linear(5, 3));
            List<Tensor> params = model.parameters();
            for (int i = 0; i < params.size(); i++) {
                if (ring.rank() == 1 && i == 0) continue; // a missing gradient counts as zeros
                Tensor p = params.get(i);
                p.setGrad(Tensor.of(values(10 * ring.rank() + i, p.numel()), p.shape()));
            }
            var buckets = new GradientBuckets(params, 10);
            assertEquals(4, buckets.count(), "from the last parameter: bias 3, weight 15 (alone), bias 5, weight 35 (alone)");
            float[] stats = buckets.average(counts[ring.rank()], losses[ring.rank()], ring);
            assertEquals(10f, stats[0], "examples in the global batch");
            assertEquals(5 * 0.5f + 3 * 2f + 2 * 1f, stats[1], 1e-6f, "loss sum of the global batch");
            List<Float> all = new ArrayList<>();
            for (Tensor p : params) for (float v : p.grad().toArray()) all.add(v);
            float[] flat = new float[all.size()];
            for (int i = 0; i < flat.length; i++) flat[i] = all.get(i);
            return flat;
        });
        var shapes = new Sequential(new Linear(7, 5), new Linear(5, 3)).parameters();
        int pos = 0;
        for (int i = 0; i < shapes.size(); i++) {
            int n = shapes.get(i).numel();
            for (int j = 0; j < n; j++) {
                double expected = 0;
                for (int r = 0; r < ranks; r++) if (!(r == 1 && i == 0)) expected += counts[r] * values(10 * r + i, n)[j] / 10.0; // small: 58 floats
                assertEquals(expected, results.get(0)[pos + j], 1e-6, "parameter " + i + " element " + j);
            }
            pos += n;
        }
        for (int r = 1; r < ranks; r++) assertArrayEquals(results.get(0), results.get(r));
    }
}
