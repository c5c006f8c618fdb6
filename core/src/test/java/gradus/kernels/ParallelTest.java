package gradus.kernels;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.*;

class ParallelTest {
    /** Every index visited exactly once, for many sizes and grains, many times (workers park and wake in between). */
    @Test
    void coversEveryIndexOnce() throws InterruptedException {
        for (int round = 0; round < 200; round++) {
            int n = round % 37, grain = 1 + round % 5;
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            Parallel.forRange(n, grain, (from, to) -> {
                for (int i = from; i < to; i++) seen.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "index " + i + " of " + n);
            if (round % 50 == 0) Thread.sleep(2); // let the workers park
        }
    }

    @Test
    void exceptionsReachTheCaller() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(8, 1, (from, to) -> {
            if (to == 8) throw new IllegalStateException("last chunk");
        }));
        assertEquals("last chunk", e.getMessage());
        AtomicInteger sum = new AtomicInteger(); // the pool still works afterwards
        Parallel.forRange(100, 1, (from, to) -> sum.addAndGet(to - from));
        assertEquals(100, sum.get());
    }

    @Test
    void nestedAndConcurrentLoopsRunInline() throws InterruptedException {
        AtomicInteger inner = new AtomicInteger();
        Parallel.forRange(4, 1, (from, to) -> {
            for (int i = from; i < to; i++) Parallel.forRange(10, 1, (f, t) -> inner.addAndGet(t - f));
        });
        assertEquals(40, inner.get());
        AtomicInteger total = new AtomicInteger();
        Thread[] callers = new Thread[3];
        for (int c = 0; c < callers.length; c++) {
            callers[c] = new Thread(() -> {
                for (int r = 0; r < 100; r++) Parallel.forRange(64, 1, (f, t) -> total.addAndGet(t - f));
            });
            callers[c].start();
        }
        for (Thread t : callers) t.join();
        assertEquals(3 * 100 * 64, total.get());
    }

    @Test
    void threadCountChanges() {
        int before = Parallel.threads();
        try {
            for (int threads : new int[]{1, 3, 2}) {
                Parallel.setThreads(threads);
                assertEquals(threads, Parallel.threads());
                AtomicInteger chunks = new AtomicInteger();
                Parallel.forRange(30, 1, (f, t) -> chunks.incrementAndGet());
                assertEquals(threads, chunks.get());
            }
            assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        } finally {
            Parallel.setThreads(before);
        }
    }
}
