package gradus.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Cache sizes as Linux and glibc report them, and the blocking derived from them for each vector width. */
class BlockingTest {
    private static final CacheSizes ZEN3 = new CacheSizes(32 << 10, 8, 512 << 10, 8, 32 << 20, "test");
    private static final CacheSizes ZEN5 = new CacheSizes(48 << 10, 12, 1 << 20, 8, 32 << 20, "test");

    @Test
    void blockingFollowsTheCachesAndTheVectorWidth() {
        // AVX2 (NR = 16) on Zen 3: the constants measured there before the blocking was derived.
        assertEquals(new Blocking(384, 128, 1360), Blocking.of(ZEN3, 4, 16, 8));
        // AVX-512 (NR = 32) on Zen 5: panels of twice the width, so half the depth; a larger L2 holds more rows.
        assertEquals(new Blocking(288, 340, 1792), Blocking.of(ZEN5, 4, 32, 8));
        // NEON-width vectors (NR = 8): a deeper block for the narrower panel.
        assertEquals(new Blocking(768, 64, 680), Blocking.of(ZEN3, 4, 8, 8));
        // No L3 reported: B's block is sized from four times L2.
        assertEquals(new Blocking(384, 128, 672), Blocking.of(new CacheSizes(32 << 10, 8, 512 << 10, 8, 0, "test"), 4, 16, 8));
        for (int nr : new int[]{8, 16, 32}) {
            Blocking b = Blocking.of(CacheSizes.TYPICAL, 4, nr, 2);
            assertTrue(b.kc() % 8 == 0 && b.mc() % 4 == 0 && b.nc() % nr == 0, b.toString());
        }
    }

    @Test
    void cacheSizesFromSysfs(@TempDir Path dir) throws Exception {
        index(dir, 0, "1", "Data", "48K", "12");
        index(dir, 1, "1", "Instruction", "32K", "8");
        index(dir, 2, "2", "Unified", "1024K", "8");
        index(dir, 3, "3", "Unified", "32768K", "16");
        assertEquals(new CacheSizes(48 << 10, 12, 1 << 20, 8, 32 << 20, "sysfs"), CacheSizes.fromSysfs(dir));
        assertNull(CacheSizes.fromSysfs(dir.resolve("missing")));
    }

    @Test
    void cacheSizesFromGetconf() {
        String out = "LEVEL1_ICACHE_SIZE                 32768\nLEVEL1_DCACHE_SIZE                 49152\n"
                + "LEVEL1_DCACHE_ASSOC                12\nLEVEL2_CACHE_SIZE                  1048576\n"
                + "LEVEL2_CACHE_ASSOC                 8\nLEVEL3_CACHE_SIZE                  \nLEVEL4_CACHE_SIZE\n";
        assertEquals(new CacheSizes(49152, 12, 1 << 20, 8, 0, "getconf"), CacheSizes.fromGetconf(out));
        assertNull(CacheSizes.fromGetconf("LEVEL1_DCACHE_SIZE 0\n"));
        assertEquals(512 << 10, CacheSizes.parseSize("512K"));
        assertEquals(32L << 20, CacheSizes.parseSize("32M"));
    }

    private static void index(Path dir, int i, String level, String type, String size, String ways) throws Exception {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
        Files.writeString(d.resolve("ways_of_associativity"), ways + "\n");
    }
}
