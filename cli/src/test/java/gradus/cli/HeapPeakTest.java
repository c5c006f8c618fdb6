package gradus.cli;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapPeakTest {
    private static final long MIB = 1 << 20;
    static volatile byte[][] held;

    @Test
    void keepsTheHeapThatWasInUseBeforeACollectionFreedIt() throws Exception {
        try (HeapPeak peak = new HeapPeak()) {
            System.gc(); // what is left is live: the baseline
            long live = used();
            held = new byte[96][];
            for (int i = 0; i < held.length; i++) held[i] = new byte[(int) MIB];
            System.gc(); // the arrays are live through it: it reports them in use before (and after)
            held = null;
            System.gc(); // and now they are gone
            long deadline = System.nanoTime() + 10_000_000_000L; // notifications come on another thread
            while (peak.bytes() < live + 90 * MIB && System.nanoTime() < deadline) Thread.sleep(10);
            assertTrue(peak.bytes() >= live + 90 * MIB, "peak " + peak.bytes() / MIB + " MiB, " + live / MIB + " MiB live before");
            long now = used();
            assertTrue(now < peak.bytes() - 80 * MIB, "the arrays are gone now (" + now / MIB + " MiB in use), the peak keeps them");
        }
    }

    private static long used() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
