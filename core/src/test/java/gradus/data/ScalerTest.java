package gradus.data;

import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ScalerTest {
    private static final Tensor TRAIN = Tensor.of(new float[][]{{1, 10, 5}, {3, 20, 5}, {5, 60, 5}});
    private static final Tensor TEST = Tensor.of(new float[][]{{7, 30, 6}});

    @Test
    void standardScalerUsesTrainingStatistics() {
        StandardScaler s = new StandardScaler().fit(TRAIN);
        assertArrayEquals(new float[]{3, 30, 5}, s.mean().toArray(), 1e-6f);
        // Population std: sqrt(8/3) and sqrt(1400/3); a constant column divides by 1.
        assertArrayEquals(new float[]{(float) Math.sqrt(8 / 3.0), (float) Math.sqrt(1400 / 3.0), 1}, s.std().toArray(), 1e-5f);
        Tensor z = s.transform(TRAIN);
        assertArrayEquals(new float[]{0, 0, 0}, z.mean(0).toArray(), 1e-6f);
        assertArrayEquals(new float[]{1, 1, 0}, z.var(0, false, false).toArray(), 1e-5f);
        // Test rows are scaled with the training mean and std, not their own.
        assertArrayEquals(new float[]{(float) (4 / Math.sqrt(8 / 3.0)), 0, 1}, s.transform(TEST).toArray(), 1e-5f);
        assertArrayEquals(TEST.toArray(), s.inverseTransform(s.transform(TEST)).toArray(), 1e-5f);
    }

    @Test
    void minMaxScalerMapsTheTrainingRange() {
        MinMaxScaler s = new MinMaxScaler().fit(TRAIN);
        assertArrayEquals(new float[]{0, 0, 0, 0.5f, 0.2f, 0, 1, 1, 0}, s.transform(TRAIN).toArray(), 1e-6f);
        assertArrayEquals(new float[]{1.5f, 0.4f, 1}, s.transform(TEST).toArray(), 1e-6f);
        MinMaxScaler sym = new MinMaxScaler(-1, 1).fit(TRAIN);
        assertArrayEquals(new float[]{-1, -1, -1, 0, -0.6f, -1, 1, 1, -1}, sym.transform(TRAIN).toArray(), 1e-6f);
        assertArrayEquals(TRAIN.toArray(), sym.inverseTransform(sym.transform(TRAIN)).toArray(), 1e-5f);
        assertThrows(IllegalArgumentException.class, () -> new MinMaxScaler(1, 1));
    }

    @Test
    void stateRebuildsTheSameScaler() {
        for (Scaler s : new Scaler[]{new StandardScaler().fit(TRAIN), new MinMaxScaler(-2, 3).fit(TRAIN)}) {
            Map<String, Object> state = s.state();
            assertInstanceOf(String.class, state.get("type"));
            Scaler back = Scaler.fromState(state);
            assertEquals(s.getClass(), back.getClass());
            assertArrayEquals(s.transform(TEST).toArray(), back.transform(TEST).toArray(), 1e-6f);
        }
        assertThrows(IllegalArgumentException.class, () -> Scaler.fromState(Map.of("type", "robust")));
        assertThrows(IllegalArgumentException.class, () -> Scaler.fromState(Map.of("type", "standard", "mean", Tensor.zeros(2))));
    }

    @Test
    void scalesEachFeatureOfImageLikeInputs() {
        Tensor x = Tensor.arange(8).reshape(2, 1, 2, 2);
        Tensor z = new StandardScaler().fitTransform(x);
        assertArrayEquals(new int[]{2, 1, 2, 2}, z.shape());
        assertArrayEquals(new float[]{-1, -1, -1, -1, 1, 1, 1, 1}, z.toArray(), 1e-6f);
    }

    @Test
    void misuseIsReported() {
        assertThrows(IllegalStateException.class, () -> new StandardScaler().transform(TEST));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StandardScaler().fit(TRAIN).transform(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("fitted on 3 features") && e.getMessage().contains("[2, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MinMaxScaler().fit(Tensor.zeros(0, 3)));
    }
}
