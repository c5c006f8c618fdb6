package gradus.quant;

import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.data.datasets.FashionMnist;
import gradus.kernels.Int8Weight;
import gradus.metrics.TopK;
import gradus.nn.Conv2d;
import gradus.nn.F;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Loss;
import gradus.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/** Static int8 of a Fashion-MNIST CNN and MLP: kernels against their float reference, accuracy cost per observer. */
class StaticQuantizationTest {
    private static Module cnn, mlp;
    private static TensorDataset test;
    private static List<Tensor> calibration;

    @BeforeAll
    static void train() {
        Rng.manualSeed(11);
        TensorDataset train = FashionMnist.sample("train");
        // the full test set: on the 500-image sample half a point is 2.5 images, and CI saw 4 flip with the GEMM choice
        test = FashionMnist.load(null, "test");
        cnn = new Sequential(new Conv2d(1, 8, 3, 1, 1).activation("relu"), new MaxPool2d(2),
                new Conv2d(8, 16, 3, 1, 1).activation("relu"), new MaxPool2d(2), new Flatten(), new Linear(16 * 7 * 7, 10));
        mlp = new Sequential(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10));
        for (Module m : List.of(cnn, mlp)) {
            Trainer.of(m).optimizer(new Adam(m.parameters(), 2e-3)).loss(Loss.crossEntropy())
                    .fit(DataLoader.of(train).batchSize(32).shuffle(3), null, 6);
            m.eval();
        }
        calibration = new ArrayList<>(); // 4 batches of 64 training images: the sample the observers see
        for (int b = 0; b < 4; b++) calibration.add(train.x().narrow(0, b * 64, 64).contiguous());
    }

    static float accuracy(Module m) {
        return 100f * TopK.correct(m.predict(test.x()), test.labels(), 1) / test.size();
    }

    /** The int8 layers compute what float layers compute on the dequantized weights and round-tripped inputs. */
    @Test
    void kernelsMatchTheirFloatReference() {
        Rng.manualSeed(5);
        Conv2d conv = new Conv2d(3, 5, new int[]{3, 2}, new int[]{2, 1}, new int[]{1, 0}, new int[]{1, 2}, true);
        Tensor x = Tensor.randn(2, 3, 9, 8);
        QParams qp = QParams.ofRange(-2.5f, 3f);
        Tensor fq = fakeQuant(x, qp);
        Int8Weight w = Int8Weight.quantize(conv.weight().contiguous().data(), 0, 5, 3 * 3 * 2);
        Tensor expect = F.conv2d(fq, Tensor.of(w.dequantize(), 5, 3, 3, 2), conv.bias(), conv.stride(), conv.padding(), conv.dilation());
        assertClose(expect, StaticQuantizedConv2d.of(conv, qp).forward(x));

        Linear lin = new Linear(40, 7);
        Tensor xl = Tensor.randn(6, 40);
        Int8Weight wl = Int8Weight.quantize(lin.weight().contiguous().data(), 0, 7, 40);
        Tensor expectL = fakeQuant(xl, qp).matmul(Tensor.of(wl.dequantize(), 7, 40).transpose(0, 1)).add(lin.bias());
        assertClose(expectL, StaticQuantizedLinear.of(lin, qp).forward(xl));
    }

    private static Tensor fakeQuant(Tensor x, QParams qp) {
        float[] v = x.toArray();
        for (int i = 0; i < v.length; i++) v[i] = qp.roundTrip(v[i]);
        return Tensor.of(v, x.shape());
    }

    private static void assertClose(Tensor expect, Tensor got) {
        assertArrayEquals(expect.shape(), got.shape());
        float[] a = expect.toArray(), b = got.toArray();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-4f * (1 + Math.abs(a[i])), "element " + i);
    }

    @Test
    void cnnAndMlpLoseAtMostHalfAPoint() {
        List<Supplier<Observer>> observers = List.of(Observer::minMax, () -> Observer.percentile(99.99), Observer::mse);
        String[] names = {"minmax", "percentile", "mse"};
        for (Module m : List.of(cnn, mlp)) {
            float fp32 = accuracy(m);
            assertTrue(fp32 >= 75, "the float model must learn first: " + fp32);
            StringBuilder line = new StringBuilder(String.format("Fashion-MNIST test set, %s trained on the sample: fp32 %.1f%%", m == cnn ? "CNN" : "MLP", fp32));
            for (int i = 0; i < observers.size(); i++) {
                Module q = StaticQuantization.quantize(m, calibration, observers.get(i));
                float acc = accuracy(q);
                line.append(String.format(", static int8 %s %.1f%%", names[i], acc));
                assertTrue(fp32 - acc <= 0.5f, names[i] + " loses " + (fp32 - acc) + " points");
            }
            System.out.println(line);
        }
        Sequential q = (Sequential) StaticQuantization.quantize(cnn, calibration, Observer::minMax);
        assertInstanceOf(StaticQuantizedConv2d.class, q.layers().get(0));
        assertInstanceOf(StaticQuantizedLinear.class, q.layers().get(5));
    }

    @Test
    void calibrationDataOfTheWrongShapeIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> StaticQuantization.quantize(cnn, List.of(Tensor.zeros(4, 3, 28, 28)), Observer::minMax));
        assertTrue(e.getMessage().contains("calibration batch 0 of shape [4, 3, 28, 28]") && e.getMessage().contains("model.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StaticQuantization.quantize(mlp, List.of(), Observer::minMax));
        assertTrue(e.getMessage().contains("calibration data"), e.getMessage());
    }
}
