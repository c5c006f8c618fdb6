package gradus.serve;

import gradus.nn.Sequential;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

class BatcherTest {
    @Test
    void batchedResultsEqualUnbatchedOnes() throws Exception {
        Sequential model = Fixtures.tinyModel(7);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        int requests = 40;
        float[][] inputs = new float[requests][];
        for (int r = 0; r < requests; r++) {
            int n = 1 + r % 3;
            inputs[r] = new float[n * 16];
            for (int i = 0; i < inputs[r].length; i++) inputs[r][i] = (float) Math.cos(r * 17 + i * 0.3);
        }
        // Submitted all at once, so the worker merges them; a 20 ms window makes merging certain.
        try (Batcher batched = new Batcher("t", model::predict, new int[]{1, 4, 4}, 16, 20_000_000, sizes::add);
             Batcher alone = new Batcher("t", model::predict, new int[]{1, 4, 4}, 1, 0, n -> {})) {
            List<CompletableFuture<float[]>> futures = new ArrayList<>();
            for (float[] in : inputs) futures.add(batched.submit(in, in.length / 16));
            for (int r = 0; r < requests; r++) {
                int n = inputs[r].length / 16;
                float[] got = futures.get(r).get();
                assertArrayEquals(alone.submit(inputs[r], n).get(), got, "request " + r + ": bit-identical to batching off");
                float[] direct = model.predict(Tensor.of(inputs[r], n, 1, 4, 4)).toArray();
                assertArrayEquals(direct, got, 1e-6f, "request " + r + ": the model's own answer up to float rounding");
            }
        }
        assertTrue(sizes.stream().anyMatch(s -> s > 3), "some forward passes merged requests: " + sizes);
        assertTrue(sizes.stream().allMatch(s -> s <= 16), "no batch above the maximum: " + sizes);
        int rows = 0;
        for (float[] in : inputs) rows += in.length / 16;
        assertEquals(rows, sizes.stream().mapToInt(Integer::intValue).sum(), "every row ran exactly once");
    }

    @Test
    void batchingOffRunsEachRequestAlone() throws Exception {
        Sequential model = Fixtures.tinyModel(8);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (Batcher b = new Batcher("t", model::predict, new int[]{1, 4, 4}, 1, 0, sizes::add)) {
            float[] x = new float[32];
            assertEquals(6, b.submit(x, 2).get().length);
        }
        assertEquals(List.of(2), sizes);
    }

    @Test
    void aFailingBatchFailsOnlyItsRequests() throws Exception {
        try (Batcher b = new Batcher("t", x -> {
            throw new IllegalArgumentException("boom");
        }, new int[]{2}, 8, 0, n -> {})) {
            var f = b.submit(new float[2], 1);
            var e = assertThrows(java.util.concurrent.ExecutionException.class, f::get);
            assertEquals("boom", e.getCause().getMessage());
        }
    }
}
