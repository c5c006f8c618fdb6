package gradus.serve;

import gradus.nn.Sequential;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(60)
class BatcherTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void requestsQueuedDuringAPassShareTheNextAndGetTheirOwnRows() throws Exception {
        Sequential model = Fixtures.tinyModel(7);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        int requests = 40;
        float[][] inputs = inputs(requests);
        CountDownLatch allQueued = new CountDownLatch(1);
        AtomicInteger passes = new AtomicInteger();
        Batcher[] self = new Batcher[1];
        // The first pass waits until every other request has queued, so the next passes must merge them.
        self[0] = new Batcher(x -> {
            if (passes.getAndIncrement() == 0) await(allQueued);
            return model.predict(x);
        }, new int[]{1, 4, 4}, 16, 0, sizes::add);
        Batcher alone = new Batcher(model::predict, new int[]{1, 4, 4}, 1, 0, n -> {});
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<float[]>> answers = new ArrayList<>();
            answers.add(pool.submit(() -> self[0].infer(inputs[0], inputs[0].length / 16, 30 * SECOND)));
            while (passes.get() == 0) Thread.onSpinWait();
            for (int r = 1; r < requests; r++) {
                float[] in = inputs[r];
                answers.add(pool.submit(() -> self[0].infer(in, in.length / 16, 30 * SECOND)));
            }
            while (self[0].queueDepth() < requests - 1) Thread.sleep(1);
            allQueued.countDown();
            for (int r = 0; r < requests; r++) {
                int n = inputs[r].length / 16;
                float[] got = answers.get(r).get();
                assertArrayEquals(alone.infer(inputs[r], n, SECOND), got, "request " + r + ": bit-identical to batching off");
                float[] direct = model.predict(Tensor.of(inputs[r], n, 1, 4, 4)).toArray();
                assertArrayEquals(direct, got, "request " + r + ": the model's own answer on these rows alone, bit for bit");
            }
        }
        assertTrue(sizes.stream().allMatch(s -> s <= 16), "no batch above the maximum: " + sizes);
        assertTrue(sizes.size() <= 1 + Math.ceilDiv(rows(inputs) - inputs[0].length / 16, 14), "queued requests were merged: " + sizes);
        assertEquals(rows(inputs), sizes.stream().mapToInt(Integer::intValue).sum(), "every row ran exactly once");
        assertEquals(0, self[0].queueDepth());
    }

    @Test
    void manyThreadsPassTheLeadWithoutLosingARequest() throws Exception {
        Sequential model = Fixtures.tinyModel(9);
        AtomicInteger rowsRun = new AtomicInteger();
        Batcher b = new Batcher(model::predict, new int[]{1, 4, 4}, 8, 0, rowsRun::addAndGet);
        float[][] inputs = inputs(16);
        float[][] expected = new float[inputs.length][];
        for (int r = 0; r < inputs.length; r++) expected[r] = model.predict(Tensor.of(inputs[r], inputs[r].length / 16, 1, 4, 4)).toArray();
        int threads = 32, each = 1000;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        int r = (seed * 7 + i) % inputs.length;
                        assertArrayEquals(expected[r], b.infer(inputs[r], inputs[r].length / 16, 30 * SECOND), 1e-6f);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        }
        int rows = 0;
        for (int t = 0; t < threads; t++) for (int i = 0; i < each; i++) rows += inputs[(t * 7 + i) % inputs.length].length / 16;
        assertEquals(rows, rowsRun.get(), "every request ran once");
        assertEquals(0, b.queueDepth());
    }

    @Test
    void aRequestAnsweredBeforeItTriesForTheLeadReturnsItsAnswer() throws Exception {
        Batcher b = new Batcher(x -> x.mul(3f), new int[]{1}, 8, 0, n -> {});
        CountDownLatch queued = new CountDownLatch(1), answeredByOther = new CountDownLatch(1);
        CompletableFuture<float[]> slow = new CompletableFuture<>();
        // A thread of its own, never joined: if the request never returns, the test fails instead of hanging.
        Thread late = Thread.ofVirtual().unstarted(() -> {
            try {
                slow.complete(b.infer(new float[]{2}, 1, 30 * SECOND));
            } catch (Exception e) {
                slow.completeExceptionally(e);
            }
        });
        b.afterQueued = () -> {
            if (Thread.currentThread() != late) return;
            queued.countDown();
            await(answeredByOther); // meanwhile another request leads, takes this one into its pass and gives the lead up
        };
        late.start();
        await(queued);
        assertArrayEquals(new float[]{3}, b.infer(new float[]{1}, 1, SECOND));
        answeredByOther.countDown();
        assertArrayEquals(new float[]{6}, slow.get(10, TimeUnit.SECONDS), "answered, and no lead taken for a done request");
        assertArrayEquals(new float[]{9}, b.infer(new float[]{3}, 1, SECOND), "the lead is free again");
    }

    @Test
    void aRequestThatWaitsTooLongTimesOutAndNeverRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        Batcher b = new Batcher(x -> {
            await(release);
            return x.mul(2f);
        }, new int[]{2}, 8, 0, sizes::add);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<float[]> leader = pool.submit(() -> b.infer(new float[]{1, 2}, 1, 30 * SECOND));
            while (sizes.isEmpty()) Thread.onSpinWait();
            assertThrows(TimeoutException.class, () -> b.infer(new float[]{3, 4}, 1, TimeUnit.MILLISECONDS.toNanos(50)));
            assertEquals(0, b.queueDepth());
            release.countDown();
            assertArrayEquals(new float[]{2, 4}, leader.get());
            assertArrayEquals(new float[]{10, 12}, b.infer(new float[]{5, 6}, 1, SECOND), "the lead was passed on");
        }
        assertEquals(List.of(1, 1), sizes, "the abandoned request never ran");
    }

    @Test
    void batchingOffRunsEachRequestAlone() throws Exception {
        Sequential model = Fixtures.tinyModel(8);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        Batcher b = new Batcher(model::predict, new int[]{1, 4, 4}, 1, 0, sizes::add);
        assertEquals(6, b.infer(new float[32], 2, SECOND).length);
        assertEquals(List.of(2), sizes);
    }

    @Test
    void aFailingPassFailsItsRequestsAndTheNextPassRuns() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Batcher b = new Batcher(x -> {
            if (calls.getAndIncrement() == 0) throw new IllegalArgumentException("boom");
            return x;
        }, new int[]{2}, 8, 0, n -> {});
        var e = assertThrows(IllegalArgumentException.class, () -> b.infer(new float[2], 1, SECOND));
        assertEquals("boom", e.getMessage());
        assertArrayEquals(new float[]{1, 2}, b.infer(new float[]{1, 2}, 1, SECOND));
    }

    private static float[][] inputs(int requests) {
        float[][] inputs = new float[requests][];
        for (int r = 0; r < requests; r++) {
            inputs[r] = new float[(1 + r % 3) * 16];
            for (int i = 0; i < inputs[r].length; i++) inputs[r][i] = (float) Math.cos(r * 17 + i * 0.3);
        }
        return inputs;
    }

    private static int rows(float[][] inputs) {
        int rows = 0;
        for (float[] in : inputs) rows += in.length / 16;
        return rows;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("latch never released");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
