package gradus.quant;

import gradus.kernels.Int8Weight;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Observers against torch.ao.quantization's (numbers from tools/reference/observers_reference.py, torch 1.13). */
class ObserverTest {
    /** x_i = float32(sinh(10 u_i − 3)), u_i = ((7919 i) mod 10007 + 0.5) / 10007: skewed, with a heavy right tail. */
    private static float[] data() {
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sinh(10 * (((7919L * i) % 10007 + 0.5) / 10007) - 3);
        return x;
    }

    private static QParams observe(Observer o, float[] x) {
        o.observe(x, 0, 2000); // two batches, as calibration feeds them
        o.observe(x, 2000, x.length - 2000);
        return o.qparams();
    }

    @Test
    void minMaxMatchesTorchMinMaxObserver() {
        QParams q = observe(Observer.minMax(), data());
        assertEquals(2.1884512901306152, q.scale(), 1e-6); // MinMaxObserver(dtype=qint8, per_tensor_affine)
        assertEquals(-123, q.zeroPoint());
        assertEquals(1634.976806640625, Observer.squaredError(data(), q), 0.05); // Σ (x − fake_quantize(x))²
    }

    @Test
    void percentileMatchesNumpyPercentile() {
        QParams q = observe(Observer.percentile(99.99), data());
        // numpy.percentile(x, [0.01, 99.99]) = [-9.988212585449219, 547.8180541992188], through torch's qparams
        assertEquals(2.1874756813049316, q.scale(), 1e-6);
        assertEquals(-123, q.zeroPoint());
    }

    @Test
    void mseIsAtLeastAsGoodAsTorchHistogramObserver() {
        float[] x = data();
        QParams q = observe(Observer.mse(), x);
        double error = Observer.squaredError(x, q);
        System.out.printf("MSE observer: scale %.6f zero point %d squared error %.3f (torch HistogramObserver 1630.485, min-max 1634.977)%n",
                q.scale(), q.zeroPoint(), error);
        assertTrue(error <= 1630.4849853515625, "MSE observer's error " + error); // it clips the tail a little more than torch
        assertTrue(q.scale() < 2.1841769218444824, q.toString());
    }

    @Test
    void perChannelWeightsAgreeWithTorchPerChannelSymmetric() {
        float[] w = new float[32];
        for (int j = 0; j < 4; j++) for (int p = 0; p < 8; p++) w[j * 8 + p] = (float) (Math.sin(8 * j + p + 1) * (j + 1));
        float[] scales = Int8Weight.quantize(w, 0, 4, 8).scales();
        // PerChannelMinMaxObserver(qint8, per_channel_symmetric): scale = max|w_j| / 127.5, zero point 0; Gradus
        // divides the same max by 127 (the largest weight maps to exactly ±127, no clipping; ONNX Runtime's convention)
        double[] torch = {0.007759672589600086, 0.015686120837926865, 0.022621117532253265, 0.03099707141518593};
        for (int j = 0; j < 4; j++) assertEquals(torch[j] * 127.5, scales[j] * 127.0, 1e-6 * (j + 1));
    }

    @Test
    void qparamsFollowTorchRules() {
        QParams q = QParams.ofRange(0.5f, 2f); // the range is widened to hold 0, so zero stays exact
        assertEquals(-128, q.zeroPoint());
        assertEquals(0f, q.roundTrip(0f));
        assertEquals(127, q.quantize(1e9f));
        var e = assertThrows(IllegalStateException.class, () -> Observer.mse().qparams());
        assertTrue(e.getMessage().contains("nothing was observed"));
        assertThrows(IllegalArgumentException.class, () -> Observer.minMax().qparams());
        assertThrows(IllegalArgumentException.class, () -> Observer.percentile(40));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Observer.of("kl")).getMessage().contains("minmax, percentile or mse"));
    }
}
