package gradus.optim;

import gradus.config.ConfigException;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SchedulesTest {
    private static final double BASE = 0.1;

    private static void assertLrs(double[] expected, LrSchedule schedule) {
        for (int s = 0; s < expected.length; s++) {
            assertEquals(expected[s], BASE * schedule.factor(s), 1e-12, "step " + s);
        }
    }

    @Test
    void matchPyTorchSchedulers() {
        assertLrs(OptimGolden.STEP_LR, Schedules.step(3, 0.5));
        assertLrs(OptimGolden.EXPONENTIAL_LR, Schedules.exponential(0.9));
        assertLrs(OptimGolden.COSINE_LR, Schedules.cosine(10, 0.001 / BASE));
        assertLrs(OptimGolden.LINEAR_LR, Schedules.linear(0.25, 1.0, 4));
        assertLrs(OptimGolden.WARMUP_COSINE_LR, Schedules.warmup(3, Schedules.cosine(7, 0.001 / BASE)));
        assertLrs(OptimGolden.WARMUP_COSINE_LR,
                Schedules.sequence(Schedules.linear(1 / 3.0, 1, 2), 3, Schedules.cosine(7, 0.001 / BASE)));
        assertLrs(new double[]{BASE, BASE, BASE}, Schedules.constant());
    }

    @Test
    void cosineHoldsItsMinimumAfterTheEnd() {
        LrSchedule cos = Schedules.cosine(10, 0.01);
        assertEquals(0.01, cos.factor(10), 1e-15);
        assertEquals(0.01, cos.factor(1000), 1e-15);
    }

    @Test
    void fromConfigCountsEpochsAndIncludesTheWarmUp() {
        // 5 epochs of 2 steps = 10 steps, the first 3 warming up: PyTorch's warm-up + cosine sequence.
        LrSchedule s = Schedules.fromConfig(Map.of("type", "cosine", "epochs", 5, "min_lr", 0.001, "warmup_steps", 3), BASE, 2);
        assertLrs(OptimGolden.WARMUP_COSINE_LR, s);
        assertLrs(OptimGolden.STEP_LR, Schedules.fromConfig(Map.of("type", "step", "every_epochs", 1, "gamma", 0.5), BASE, 3));
        assertLrs(OptimGolden.EXPONENTIAL_LR, Schedules.fromConfig(Map.of("type", "exponential", "gamma", 0.9), BASE, 0));
        assertLrs(OptimGolden.LINEAR_LR, Schedules.fromConfig(
                Map.of("type", "linear", "steps", 4, "start_factor", 0.25, "end_factor", 1.0), BASE, 0));
        LrSchedule decay = Schedules.fromConfig(Map.of("type", "linear", "steps", 10, "warmup_epochs", 1), BASE, 2);
        assertArrayEquals(new double[]{0.5, 1, 1, 0.875, 0.125, 0},
                new double[]{decay.factor(0), decay.factor(1), decay.factor(2), decay.factor(3), decay.factor(9), decay.factor(10)}, 1e-12);
        assertEquals(1.0, Schedules.fromConfig(Map.of("type", "constant"), BASE, 0).factor(100));
    }

    @Test
    void fromConfigErrorsNameTheProblem() {
        var unknownKey = assertThrows(ConfigException.class,
                () -> Schedules.fromConfig(Map.of("type", "cosine", "steps", 10, "eta_min", 0.1), BASE, 1));
        assertTrue(unknownKey.getMessage().contains("eta_min") && unknownKey.getMessage().contains("min_lr")
                && unknownKey.getMessage().contains("scheduler"), unknownKey.getMessage());
        var unknownType = assertThrows(ConfigException.class, () -> Schedules.fromConfig(Map.of("type", "onecycle"), BASE, 1));
        assertTrue(unknownType.getMessage().contains("onecycle") && unknownType.getMessage().contains("cosine"), unknownType.getMessage());
        var both = assertThrows(ConfigException.class,
                () -> Schedules.fromConfig(Map.of("type", "cosine", "steps", 10, "epochs", 2), BASE, 1));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        var neither = assertThrows(ConfigException.class, () -> Schedules.fromConfig(Map.of("type", "cosine"), BASE, 1));
        assertTrue(neither.getMessage().contains("missing 'steps' or 'epochs'"), neither.getMessage());
        var longWarmup = assertThrows(ConfigException.class,
                () -> Schedules.fromConfig(Map.of("type", "cosine", "steps", 10, "warmup_steps", 10), BASE, 1));
        assertTrue(longWarmup.getMessage().contains("warm-up"), longWarmup.getMessage());
        var noEpochSize = assertThrows(ConfigException.class,
                () -> Schedules.fromConfig(Map.of("type", "cosine", "epochs", 3), BASE, 0));
        assertTrue(noEpochSize.getMessage().contains("steps per epoch"), noEpochSize.getMessage());
        var negative = assertThrows(ConfigException.class,
                () -> Schedules.fromConfig(Map.of("type", "step", "every_steps", 0), BASE, 1));
        assertTrue(negative.getMessage().contains("must be positive"), negative.getMessage());
    }

    @Test
    void optimizerReportsTheScheduledLr() {
        SGD opt = new SGD(List.of(Tensor.zeros(2).requiresGrad(true)), BASE);
        opt.setSchedule(Schedules.warmup(3, Schedules.cosine(7, 0.01)));
        for (int s = 0; s < OptimGolden.WARMUP_COSINE_LR.length; s++) {
            assertEquals(OptimGolden.WARMUP_COSINE_LR[s], opt.lr(), 1e-12, "step " + s);
            opt.step(); // no gradient: nothing moves, but the step counts
        }
    }
}
