package gradus.kernels;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** Gradus without the OpenBLAS jars on the class path: GRADUS_BLAS=openblas still multiplies, with the Java kernels. */
class BlasFallbackTest {
    /** Run in the child JVM: one product through sgemm, checked against the reference, then the provider line. */
    public static void main(String[] args) {
        Random rnd = new Random(3);
        int m = 300, n = 200, k = 100;
        float[] a = new float[m * k], b = new float[k * n], got = new float[m * n], want = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
        Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, got, 0, n);
        Gemm.reference(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, want, 0, n);
        for (int i = 0; i < got.length; i++) {
            if (Math.abs(got[i] - want[i]) > 1e-3f) throw new AssertionError("C[" + i + "] = " + got[i] + ", want " + want[i]);
        }
        System.out.println("ok " + Blas.openBlasAvailable() + " " + Blas.describe());
    }

    @Test
    void javaKernelsRunWhereOpenBlasCannotLoad() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("bytedeco"))
                .collect(Collectors.joining(File.pathSeparator));
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classPath, BlasFallbackTest.class.getName()));
        pb.environment().put("GRADUS_BLAS", "openblas");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("ok false openblas: OpenBLAS not available ("), out);
        assertTrue(out.contains("using the Java kernels"), out);
    }

    @Test
    void badSettingNamesTheAllowedValues() {
        Blas.Provider before = Blas.provider();
        String old = System.getProperty("gradus.blas");
        try {
            System.setProperty("gradus.blas", "mkl");
            Blas.use(null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Blas::provider);
            assertEquals("-Dgradus.blas=mkl: expected java, openblas or auto", e.getMessage());
        } finally {
            if (old == null) System.clearProperty("gradus.blas");
            else System.setProperty("gradus.blas", old);
            Blas.use(before);
        }
    }
}
