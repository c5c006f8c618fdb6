package gradus.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static gradus.kernels.Blas.Provider.AUTO;
import static gradus.kernels.Blas.Provider.JAVA;
import static gradus.kernels.Blas.Provider.OPENBLAS;
import static org.junit.jupiter.api.Assertions.*;

/** auto's choice with given timings: the decision, the cache and its key, invalidation and the override. */
class GemmChoiceTest {
    private static final Machine MACHINE = new Machine("AMD EPYC", "fma avx2 avx512f", 2);
    private static final String KEY = GemmChoice.key(MACHINE, "25.0.1+8", 512, "OpenBLAS 0.3.30 (Haswell)");

    /** Seconds per call: Java faster on shallow and small products, OpenBLAS on narrow, medium and large ones. */
    private static double fixed(Blas.Provider p, ShapeClass c) {
        double java = 1e-3, openblas = switch (c) {
            case SHALLOW -> 3e-3;
            case NARROW -> 0.9e-3;
            case SMALL -> 1.2e-3;
            case MEDIUM -> 0.8e-3;
            case LARGE -> 0.5e-3;
        };
        return p == JAVA ? java : openblas;
    }

    @Test
    void picksTheFasterProviderPerClassAndSaysWhy() {
        GemmChoice c = GemmCalibration.measure(GemmChoiceTest::fixed, "measured now");
        assertEquals(JAVA, c.picks().get(ShapeClass.SHALLOW).provider());
        assertEquals(OPENBLAS, c.picks().get(ShapeClass.NARROW).provider());
        assertEquals(JAVA, c.picks().get(ShapeClass.SMALL).provider());
        assertEquals(OPENBLAS, c.picks().get(ShapeClass.MEDIUM).provider());
        assertEquals(OPENBLAS, c.picks().get(ShapeClass.LARGE).provider());
        ShapeClass large = ShapeClass.LARGE;
        double flops = 2.0 * large.m * large.n * large.k;
        assertEquals(flops / 0.5e-3 / 1e9, c.picks().get(large).openBlasGflops(), 1e-9);
        assertTrue(c.summary().startsWith("shallow java (java "), c.summary());
        assertTrue(c.summary().contains("large openblas (java ") && c.summary().endsWith("; measured now"), c.summary());
    }

    @Test
    void tiesKeepJavaAndNoiseInOneRoundDoesNotDecide() {
        Map<String, Integer> calls = new java.util.HashMap<>();
        // OpenBLAS is faster in every sample but one, where a neighbour's load makes it 10x slower; Java ties on small.
        GemmChoice c = GemmCalibration.measure((p, s) -> {
            int n = calls.merge(p + " " + s, 1, Integer::sum);
            if (s == ShapeClass.SMALL || p == JAVA) return 1e-3;
            return n == GemmCalibration.MIN_WARM_UP_SAMPLES + 3 ? 1e-2 : 0.9e-3;
        }, "x");
        assertEquals(JAVA, c.picks().get(ShapeClass.SMALL).provider());
        assertEquals(OPENBLAS, c.picks().get(ShapeClass.LARGE).provider());
        assertEquals(OPENBLAS, c.picks().get(ShapeClass.SHALLOW).provider());
    }

    @Test
    void warmUpUntilTheJitIsDoneAndProvidersAlternate() {
        List<String> order = new ArrayList<>();
        Map<ShapeClass, Integer> javaCalls = new EnumMap<>(ShapeClass.class);
        GemmChoice c = GemmCalibration.measure((p, s) -> {
            if (s == ShapeClass.SHALLOW) order.add(p.name());
            if (p != JAVA) return 1.5e-3;
            // interpreted, then compiled in steps: 40% faster each sample for 9 samples, then 1.5x faster than OpenBLAS
            // (timed only in the rounds, samples 2 to 9 would all be slower than OpenBLAS)
            int n = javaCalls.merge(s, 1, Integer::sum);
            return Math.max(1e-3, 1e-1 * Math.pow(0.6, n - 1));
        }, "x");
        for (ShapeClass s : ShapeClass.values()) assertEquals(JAVA, c.picks().get(s).provider(), s.label());
        List<String> rounds = order.subList(order.size() - 2 * (GemmCalibration.ROUNDS + 1), order.size());
        assertEquals(List.of("JAVA", "OPENBLAS", "OPENBLAS", "JAVA", "JAVA", "OPENBLAS"), rounds.subList(0, 6));
    }

    @Test
    void classesDependOnOpBOnlySoEveryBatchSizeGoesTheSameWay() {
        Map<ShapeClass, GemmChoice.Pick> picks = new EnumMap<>(ShapeClass.class);
        for (ShapeClass s : ShapeClass.values()) picks.put(s, new GemmChoice.Pick(s.ordinal() % 2 == 0 ? JAVA : OPENBLAS, 1, 1));
        GemmChoice c = new GemmChoice(picks, "x");
        assertEquals(ShapeClass.SHALLOW, ShapeClass.of(25088, 9));
        assertEquals(ShapeClass.NARROW, ShapeClass.of(9, 25088));
        assertEquals(ShapeClass.SMALL, ShapeClass.of(64, 784));
        assertEquals(ShapeClass.MEDIUM, ShapeClass.of(512, 512));
        assertEquals(ShapeClass.LARGE, ShapeClass.of(2048, 2048));
        for (int[] nk : new int[][]{{64, 784}, {512, 512}, {2048, 2048}, {25088, 9}}) {
            boolean first = c.nativeFor(nk[0], nk[1]);
            for (int m = 1; m <= 4096; m *= 2) {
                Blas.Provider before = Blas.provider();
                GemmChoice beforeChoice = Blas.choice();
                try {
                    Blas.use(AUTO);
                    Blas.useChoice(c);
                    assertEquals(first && Blas.openBlasAvailable(), Blas.nativeFor(m, nk[0], nk[1]), "m=" + m);
                } finally {
                    Blas.use(before);
                    Blas.useChoice(beforeChoice);
                }
            }
        }
    }

    @Test
    void overrideWinsOverTheChoice() {
        Map<ShapeClass, GemmChoice.Pick> allNative = new EnumMap<>(ShapeClass.class), allJava = new EnumMap<>(ShapeClass.class);
        for (ShapeClass s : ShapeClass.values()) {
            allNative.put(s, new GemmChoice.Pick(OPENBLAS, 1, 2));
            allJava.put(s, new GemmChoice.Pick(JAVA, 2, 1));
        }
        Blas.Provider before = Blas.provider();
        GemmChoice beforeChoice = Blas.choice();
        try {
            Blas.useChoice(new GemmChoice(allNative, "x"));
            Blas.use(JAVA);
            assertFalse(Blas.nativeFor(256, 1024, 1024));
            Blas.useChoice(new GemmChoice(allJava, "x"));
            Blas.use(OPENBLAS);
            assertEquals(Blas.openBlasAvailable(), Blas.nativeFor(256, 1024, 1024));
            Blas.use(AUTO);
            assertFalse(Blas.nativeFor(256, 1024, 1024));
            Blas.useChoice(new GemmChoice(allNative, "x"));
            assertEquals(Blas.openBlasAvailable(), Blas.nativeFor(256, 1024, 1024));
        } finally {
            Blas.use(before);
            Blas.useChoice(beforeChoice);
        }
    }

    @Test
    void keyChangesWithEveryFactThatMatters() {
        List<String> keys = List.of(KEY,
                GemmChoice.key(new Machine("Intel Xeon", MACHINE.flags(), 2), "25.0.1+8", 512, "OpenBLAS 0.3.30 (Haswell)"),
                GemmChoice.key(new Machine("AMD EPYC", "fma avx2", 2), "25.0.1+8", 512, "OpenBLAS 0.3.30 (Haswell)"),
                GemmChoice.key(new Machine("AMD EPYC", MACHINE.flags(), 4), "25.0.1+8", 512, "OpenBLAS 0.3.30 (Haswell)"),
                GemmChoice.key(MACHINE, "24.0.2+12", 512, "OpenBLAS 0.3.30 (Haswell)"),
                GemmChoice.key(MACHINE, "25.0.1+8", 256, "OpenBLAS 0.3.30 (Haswell)"),
                GemmChoice.key(MACHINE, "25.0.1+8", 512, "OpenBLAS 0.3.30 (SkylakeX)"));
        Path dir = Path.of("/cache");
        assertEquals(keys.size(), keys.stream().map(k -> GemmChoice.file(dir, k)).distinct().count());
        assertEquals(GemmChoice.file(dir, KEY), GemmChoice.file(dir, GemmChoice.key(MACHINE, "25.0.1+8", 512, "OpenBLAS 0.3.30 (Haswell)")));
    }

    @Test
    void measuresOnceThenReadsTheCacheAndMeasuresAgainForOtherFacts(@TempDir Path dir) throws Exception {
        AtomicInteger measured = new AtomicInteger();
        java.util.function.Supplier<GemmChoice> measure = () -> {
            measured.incrementAndGet();
            return GemmCalibration.measure(GemmChoiceTest::fixed, "measured now");
        };
        ByteArrayOutputStream notes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(notes, true, StandardCharsets.UTF_8);
        GemmChoice first = GemmChoice.loadOrMeasure(dir, KEY, measure, out);
        GemmChoice second = GemmChoice.loadOrMeasure(dir, KEY, measure, out);
        assertEquals(1, measured.get());
        assertEquals(first.picks(), second.picks());
        assertTrue(second.origin().startsWith("cached in " + GemmChoice.file(dir, KEY)), second.origin());
        try (var files = Files.list(dir)) { // written by rename: no temporary left beside it
            assertEquals(List.of(GemmChoice.file(dir, KEY)), files.toList());
        }
        GemmChoice.loadOrMeasure(dir, GemmChoice.key(MACHINE, "26+1", 512, "OpenBLAS 0.3.30 (Haswell)"), measure, out);
        assertEquals(2, measured.get());
        assertEquals("", notes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void corruptOrForeignCacheIsNotedAndMeasuredAgain(@TempDir Path dir) throws Exception {
        AtomicInteger measured = new AtomicInteger();
        java.util.function.Supplier<GemmChoice> measure = () -> {
            measured.incrementAndGet();
            return GemmCalibration.measure(GemmChoiceTest::fixed, "measured now");
        };
        Path file = GemmChoice.file(dir, KEY);
        String good = GemmCalibration.measure(GemmChoiceTest::fixed, "x").serialize(KEY);
        List<String> bad = List.of("", "garbage", good.replace("large=openblas", "large=mkl"),
                good.replaceAll("(?m)^shallow=java \\S+", "shallow=java x"), good.replaceAll("(?m)^medium=.*\n", ""),
                good.replace("kernels=", "kernels=0"), good.substring(0, good.length() / 2));
        for (String text : bad) {
            Files.writeString(file, text);
            ByteArrayOutputStream notes = new ByteArrayOutputStream();
            GemmChoice c = GemmChoice.loadOrMeasure(dir, KEY, measure, new PrintStream(notes, true, StandardCharsets.UTF_8));
            String note = notes.toString(StandardCharsets.UTF_8);
            assertTrue(note.startsWith("gradus: ignoring the GEMM choice cache " + file + " ("), text + " -> " + note);
            assertTrue(note.strip().endsWith("; measuring again"), note);
            assertEquals(OPENBLAS, c.picks().get(ShapeClass.LARGE).provider());
            assertEquals(good.substring(good.indexOf('\n')), Files.readString(file).substring(Files.readString(file).indexOf('\n')));
        }
        assertEquals(bad.size(), measured.get());
    }
}
