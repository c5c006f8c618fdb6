package gradus.data;

import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class DataLoaderTest {
    /** Example i has input [i] and label i, so a batch shows exactly which examples it holds. */
    static TensorDataset identity(int n) {
        float[] x = new float[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) x[i] = y[i] = i;
        return new TensorDataset(Tensor.of(x, n, 1), IntTensor.of(y));
    }

    static List<int[]> batches(Iterable<Batch> loader) {
        List<int[]> out = new ArrayList<>();
        for (Batch b : loader) out.add(b.labels().data().clone());
        return out;
    }

    @Test
    void batchesInOrderWithAShortLastBatch() {
        DataLoader loader = DataLoader.of(identity(10)).batchSize(4);
        assertEquals(3, loader.numBatches());
        List<int[]> b = batches(loader);
        assertEquals(3, b.size());
        assertArrayEquals(new int[]{0, 1, 2, 3}, b.get(0));
        assertArrayEquals(new int[]{8, 9}, b.get(2));
    }

    @Test
    void dropLastDropsTheShortBatch() {
        DataLoader loader = DataLoader.of(identity(10)).batchSize(4).dropLast(true);
        assertEquals(2, loader.numBatches());
        assertEquals(2, batches(loader).size());
        assertEquals(0, DataLoader.of(identity(3)).batchSize(4).dropLast(true).numBatches());
        assertEquals(1, DataLoader.of(identity(8)).batchSize(8).dropLast(true).numBatches());
    }

    @Test
    void shufflingVisitsEveryExampleOncePerEpochAndIsReproducible() {
        DataLoader a = DataLoader.of(identity(50)).batchSize(8).shuffle(7);
        DataLoader b = DataLoader.of(identity(50)).batchSize(8).shuffle(7);
        int[] a0 = flatten(batches(a)), a1 = flatten(batches(a));
        int[] b0 = flatten(batches(b)), b1 = flatten(batches(b));
        assertArrayEquals(a0, b0, "same seed, same epoch 0");
        assertArrayEquals(a1, b1, "same seed, same epoch 1");
        assertFalse(Arrays.equals(a0, a1), "each epoch gets a new permutation");
        int[] sorted = a0.clone();
        Arrays.sort(sorted);
        int[] expected = new int[50];
        Arrays.setAll(expected, i -> i);
        assertArrayEquals(expected, sorted);
        assertFalse(Arrays.equals(expected, a0), "shuffled");
        assertFalse(Arrays.equals(a0, flatten(batches(DataLoader.of(identity(50)).batchSize(8).shuffle(8)))), "seed matters");
    }

    @Test
    void anEpochCanBeReplayedDirectly() {
        DataLoader loader = DataLoader.of(identity(30)).batchSize(7).shuffle(3);
        batches(loader);
        int[] second = flatten(batches(loader));
        assertArrayEquals(second, flatten(batches(loader.epoch(1))));
        assertArrayEquals(second, loader.order(1));
        assertArrayEquals(flatten(batches(loader.epoch(1))), flatten(batches(DataLoader.of(identity(30)).batchSize(7).shuffle(3).epoch(1))));
    }

    @Test
    void prefetchGivesTheSameBatches() {
        for (int prefetch : new int[]{1, 2, 5}) {
            DataLoader direct = DataLoader.of(identity(23)).batchSize(4).shuffle(11);
            DataLoader ahead = DataLoader.of(identity(23)).batchSize(4).shuffle(11).prefetch(prefetch);
            for (int epoch = 0; epoch < 2; epoch++) {
                List<int[]> d = batches(direct), p = batches(ahead);
                assertEquals(d.size(), p.size());
                for (int i = 0; i < d.size(); i++) assertArrayEquals(d.get(i), p.get(i));
            }
        }
    }

    @Test
    void prefetchRunsOnAnotherThreadAndStaysBounded() throws Exception {
        AtomicInteger loaded = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        Dataset counting = new Dataset() {
            public int size() { return 100; }
            public Batch get(int[] idx) {
                loaded.incrementAndGet();
                threads.add(Thread.currentThread());
                return identity(100).get(idx);
            }
        };
        try (DataLoader.Batches it = DataLoader.of(counting).batchSize(10).prefetch(2).iterator()) {
            it.next();
            Thread.sleep(200);
            // One batch taken, two in the queue, at most one more being loaded.
            assertTrue(loaded.get() <= 4, "loaded " + loaded.get() + " batches ahead with prefetch 2");
            assertNotSame(Thread.currentThread(), threads.getFirst());
        }
    }

    @Test
    void producerErrorsSurfaceInTheConsumer() {
        Dataset failing = new Dataset() {
            public int size() { return 40; }
            public Batch get(int[] idx) {
                if (idx[0] >= 20) throw new IllegalStateException("disk on fire at example " + idx[0]);
                return identity(40).get(idx);
            }
        };
        DataLoader loader = DataLoader.of(failing).batchSize(10).prefetch(2);
        DataLoader.Batches it = loader.iterator();
        it.next();
        it.next();
        DataException e = assertThrows(DataException.class, it::hasNext);
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getMessage().contains("batch 2 of 4") && e.getMessage().contains("disk on fire at example 20"), e.getMessage());
        assertFalse(it.hasNext(), "the epoch ends after a failure");
    }

    @Test
    void closingStopsTheProducer() throws Exception {
        DataLoader.Batches it = DataLoader.of(identity(1000)).batchSize(1).prefetch(1).iterator();
        it.next();
        Thread producer = ((DataLoader.Prefetching) it).producerThread();
        it.close();
        producer.join(5000);
        assertFalse(producer.isAlive());
        assertFalse(it.hasNext());
    }

    @Test
    void abandonedIteratorsDoNotLeakThreads() throws Exception {
        Thread producer = startAndAbandon();
        for (int i = 0; i < 100 && producer.isAlive(); i++) {
            System.gc();
            producer.join(50);
        }
        assertFalse(producer.isAlive(), "the producer of an unreachable iterator should stop");
    }

    private static Thread startAndAbandon() {
        DataLoader.Batches it = DataLoader.of(identity(1000)).batchSize(1).prefetch(1).iterator();
        it.next();
        return ((DataLoader.Prefetching) it).producerThread();
    }

    @Test
    void finishedEpochsReleaseTheirThread() throws Exception {
        DataLoader.Batches it = DataLoader.of(identity(10)).batchSize(5).prefetch(4).iterator();
        Thread producer = ((DataLoader.Prefetching) it).producerThread();
        while (it.hasNext()) it.next();
        producer.join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(producer.isAlive());
        assertThrows(java.util.NoSuchElementException.class, it::next);
    }

    @Test
    void rejectsBadSettings() {
        DataLoader loader = DataLoader.of(identity(3));
        assertThrows(IllegalArgumentException.class, () -> loader.batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> loader.prefetch(-1));
    }

    private static int[] flatten(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }
}
