package gradus.cli;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapPeakTest {
    static volatile byte[][] held;

    @Test
    void seesHeapThatWasInUseBeforeACollectionFreedIt() throws Exception {
        long mib = 1 << 20;
        try (HeapPeak peak = new HeapPeak()) {
            long before = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            held = new byte[96][];
            for (int i = 0; i < held.length; i++) held[i] = new byte[(int) mib];
            held = null;
            System.gc(); // its notification reports the 96 MiB as in use just before it
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (peak.bytes() < before + 90 * mib && System.nanoTime() < deadline) Thread.sleep(10); // notifications come on another thread
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            assertTrue(peak.bytes() >= before + 90 * mib, "peak " + peak.bytes() / mib + " MiB, " + before / mib + " MiB in use before");
            assertTrue(now < peak.bytes() - 80 * mib, "the arrays are gone now (" + now / mib + " MiB in use), the peak keeps them");
        }
    }
}
