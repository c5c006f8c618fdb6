package gradus.optim;

import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

class OptimizerTest {
    private static final float TOL = 1e-5f;

    /** The recorded problem: loss = sum((x @ w + b - y)^2) with w [2, 3] and b [3] from fixed numbers. */
    private record Problem(Tensor w, Tensor b) {
        Problem() {
            this(Tensor.of(OptimGolden.W0).requiresGrad(true), Tensor.of(OptimGolden.B0.clone()).requiresGrad(true));
        }

        List<Tensor> params() {
            return List.of(w, b);
        }

        void step(Optimizer opt) {
            opt.zeroGrad();
            Tensor.of(OptimGolden.X).matmul(w).add(b).sub(Tensor.of(OptimGolden.Y)).pow(2f).sum().backward();
            opt.step();
        }

        float[] values() {
            float[] out = new float[9];
            System.arraycopy(w.toArray(), 0, out, 0, 6);
            System.arraycopy(b.toArray(), 0, out, 6, 3);
            return out;
        }
    }

    private static void assertTrajectory(float[][] expected, Function<List<Tensor>, Optimizer> make) {
        Problem pr = new Problem();
        Optimizer opt = make.apply(pr.params());
        for (int s = 0; s < expected.length; s++) {
            pr.step(opt);
            assertArrayEquals(expected[s], pr.values(), TOL, "after step " + (s + 1));
        }
        assertEquals(expected.length, opt.steps());
    }

    @Test
    void sgd() {
        assertTrajectory(OptimGolden.SGD, p -> new SGD(p, 0.01));
    }

    @Test
    void sgdMomentumDampeningWeightDecay() {
        assertTrajectory(OptimGolden.SGD_MOMENTUM, p -> new SGD(p, 0.01, 0.9, 0.1, false, 0.01));
    }

    @Test
    void sgdNesterov() {
        assertTrajectory(OptimGolden.SGD_NESTEROV, p -> new SGD(p, 0.01, 0.9, 0, true, 0.05));
    }

    @Test
    void adam() {
        assertTrajectory(OptimGolden.ADAM, p -> new Adam(p, 0.1));
    }

    @Test
    void adamBetasAndLargeEpsilon() {
        // eps = 0.1 is large next to sqrt(v): it checks that eps is added after the bias correction.
        assertTrajectory(OptimGolden.ADAM_BETAS_EPS, p -> new Adam(p, 0.1, 0.8, 0.95, 0.1, 0, false));
    }

    @Test
    void adamWeightDecayAmsgrad() {
        assertTrajectory(OptimGolden.ADAM_WEIGHT_DECAY_AMSGRAD, p -> new Adam(p, 0.1, 0.9, 0.999, 1e-8, 0.1, true));
    }

    @Test
    void adamW() {
        assertTrajectory(OptimGolden.ADAMW, p -> new AdamW(p, 0.1, 0.1));
    }

    @Test
    void adamWAmsgrad() {
        assertTrajectory(OptimGolden.ADAMW_AMSGRAD, p -> new AdamW(p, 0.05, 0.5, 0.9, 1e-8, 0.5, true));
    }

    @Test
    void rmsprop() {
        assertTrajectory(OptimGolden.RMSPROP, p -> new RMSprop(p, 0.01));
    }

    @Test
    void rmspropCenteredMomentumWeightDecay() {
        assertTrajectory(OptimGolden.RMSPROP_CENTERED_MOMENTUM, p -> new RMSprop(p, 0.01, 0.9, 1e-8, 0.01, 0.9, true));
    }

    @Test
    void paramGroupsHaveTheirOwnLrAndWeightDecay() {
        assertTrajectory(OptimGolden.ADAM_GROUPS, p -> {
            Adam opt = new Adam(List.of(p.get(0)), 0.1);
            opt.addParamGroup(new ParamGroup(List.of(p.get(1)), 0.01, 0.1));
            assertEquals(2, opt.groupCount());
            assertEquals(0.01, opt.lr(1));
            return opt;
        });
    }

    @Test
    void groupWithoutOverridesTakesTheDefaults() {
        Problem pr = new Problem();
        Optimizer opt = new Adam(List.of(pr.w()), 0.1);
        opt.addParamGroup(new ParamGroup(List.of(pr.b()), Double.NaN, Double.NaN));
        assertEquals(0.1, opt.lr(1));
        for (float[] expected : OptimGolden.ADAM) {
            pr.step(opt);
            assertArrayEquals(expected, pr.values(), TOL);
        }
    }

    @Test
    void scheduleScalesTheLearningRateOfEachStep() {
        assertTrajectory(OptimGolden.ADAM_STEP_LR, p -> {
            Adam opt = new Adam(p, 0.1);
            opt.setSchedule(Schedules.step(2, 0.5));
            return opt;
        });
    }

    @Test
    void parametersWithoutGradientAreLeftAlone() {
        Problem pr = new Problem();
        Tensor unused = Tensor.of(new float[]{1, 2}).requiresGrad(true);
        Optimizer opt = new Adam(List.of(pr.w(), unused, pr.b()), 0.1);
        for (float[] expected : OptimGolden.ADAM) {
            pr.step(opt);
            assertArrayEquals(expected, pr.values(), TOL);
        }
        assertArrayEquals(new float[]{1, 2}, unused.toArray());
        Map<String, Tensor> state = opt.stateDict();
        assertEquals(5f, state.get("0.step").item());
        assertEquals(0f, state.get("1.step").item());
        assertArrayEquals(new float[2], state.get("1.exp_avg").toArray());
    }

    @Test
    void stateDictNamesSlotsByParameterIndex() {
        Problem pr = new Problem();
        Optimizer opt = new Adam(pr.params(), 0.1, 0.9, 0.999, 1e-8, 0, true);
        pr.step(opt);
        assertEquals(List.of("step", "0.step", "0.exp_avg", "0.exp_avg_sq", "0.max_exp_avg_sq",
                "1.step", "1.exp_avg", "1.exp_avg_sq", "1.max_exp_avg_sq"), new ArrayList<>(opt.stateDict().keySet()));
        assertArrayEquals(new int[]{2, 3}, opt.stateDict().get("0.exp_avg").shape());
        assertEquals(List.of("step", "0.step", "1.step"), new ArrayList<>(new SGD(pr.params(), 0.1).stateDict().keySet()));
        assertTrue(new RMSprop(pr.params(), 0.1, 0.9, 1e-8, 0, 0.9, true).stateDict().keySet()
                .containsAll(List.of("1.square_avg", "1.momentum_buffer", "1.grad_avg")));
    }

    @Test
    void resumingFromStateDictMatchesUninterruptedTraining() {
        List<Function<List<Tensor>, Optimizer>> makers = List.of(
                p -> new SGD(p, 0.01, 0.9, 0.1, false, 0.01),
                p -> new SGD(p, 0.01, 0.9, 0, true, 0.05),
                p -> new Adam(p, 0.1, 0.9, 0.999, 1e-8, 0.1, true),
                p -> new AdamW(p, 0.1, 0.1),
                p -> new RMSprop(p, 0.01, 0.9, 1e-8, 0.01, 0.9, true),
                p -> {
                    Adam a = new Adam(p, 0.1);
                    a.setSchedule(Schedules.warmup(2, Schedules.cosine(3, 0.1)));
                    return a;
                });
        for (var make : makers) {
            Problem straight = new Problem();
            Optimizer a = make.apply(straight.params());
            for (int s = 0; s < 5; s++) straight.step(a);

            Problem first = new Problem();
            Optimizer b = make.apply(first.params());
            for (int s = 0; s < 3; s++) first.step(b);
            Map<String, Tensor> saved = b.stateDict();
            float[] w3 = first.w().toArray(), b3 = first.b().toArray();
            first.step(b); // training on must not change the snapshot

            Problem resumed = new Problem();
            resumed.w().copyFrom(Tensor.of(w3, 2, 3));
            resumed.b().copyFrom(Tensor.of(b3));
            Optimizer c = make.apply(resumed.params());
            c.loadStateDict(saved);
            assertEquals(3, c.steps());
            for (int s = 0; s < 2; s++) resumed.step(c);
            assertArrayEquals(straight.values(), resumed.values(), a.toString());
        }
    }

    @Test
    void loadStateDictNamesWhatDoesNotMatch() {
        Problem pr = new Problem();
        Optimizer adam = new Adam(pr.params(), 0.1);
        Map<String, Tensor> sgdState = new SGD(pr.params(), 0.1, 0.9).stateDict();
        var e = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(sgdState));
        assertTrue(e.getMessage().contains("missing keys: [0.exp_avg") && e.getMessage().contains("unexpected keys: [0.momentum_buffer"),
                e.getMessage());

        Map<String, Tensor> other = new Adam(List.of(Tensor.zeros(3, 2).requiresGrad(true), pr.b()), 0.1).stateDict();
        var s = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(other));
        assertTrue(s.getMessage().contains("'0.exp_avg'") && s.getMessage().contains("[3, 2]")
                && s.getMessage().contains("[2, 3]"), s.getMessage());
    }

    /** Every rule once per element through the vector loop, its scalar tail and parallel chunks. */
    @Test
    void vectorScalarAndParallelPathsAgreeBitForBit() {
        List<Function<List<Tensor>, Optimizer>> makers = List.of(
                p -> new SGD(p, 0.01, 0.9, 0.2, false, 0.01),
                p -> new SGD(p, 0.01, 0.9, 0, true, 0.01),
                p -> new Adam(p, 0.01, 0.9, 0.999, 1e-8, 0.01, true),
                p -> new AdamW(p, 0.01, 0.8, 0.99, 1e-6, 0.1, true),
                p -> new RMSprop(p, 0.01, 0.9, 1e-8, 0.01, 0.9, true),
                p -> new RMSprop(p, 0.01));
        int n = 40_000, chunk = 1001; // above the parallel threshold (2 * 16384); chunks with vector tails
        for (var make : makers) {
            Rng rng = new Rng(7);
            Tensor big = Tensor.normal(rng, 0, 1, n).requiresGrad(true);
            List<Tensor> pieces = new ArrayList<>();
            for (int i = 0; i < n; i += chunk) {
                pieces.add(Tensor.of(Arrays.copyOfRange(big.data(), i, Math.min(n, i + chunk))).requiresGrad(true));
            }
            Optimizer whole = make.apply(List.of(big)), split = make.apply(pieces);
            for (int s = 0; s < 3; s++) {
                float[] g = Tensor.normal(rng, 0, 1, n).toArray();
                big.setGrad(Tensor.of(g.clone()));
                for (int i = 0, k = 0; i < n; i += chunk, k++) {
                    pieces.get(k).setGrad(Tensor.of(Arrays.copyOfRange(g, i, Math.min(n, i + chunk))));
                }
                whole.step();
                split.step();
            }
            float[] joined = new float[n];
            for (int i = 0, k = 0; i < n; i += chunk, k++) System.arraycopy(pieces.get(k).toArray(), 0, joined, i, pieces.get(k).numel());
            assertArrayEquals(joined, big.toArray(), whole.toString());
        }
    }

    @Test
    void lrAndSetLr() {
        Problem pr = new Problem();
        SGD opt = new SGD(pr.params(), 0.1);
        assertEquals(0.1, opt.lr());
        opt.setLr(0.05);
        assertEquals(0.05, opt.lr());
        opt.setSchedule(Schedules.exponential(0.5));
        pr.step(opt);
        assertEquals(0.025, opt.lr(), 1e-15);
        assertEquals(0.05, opt.baseLr());
        assertEquals(0.05, opt.config().get("lr"));
    }

    @Test
    void badParametersAndHyperparametersAreRejected() {
        Problem pr = new Problem();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(), 0.1))
                .getMessage().contains("empty parameter list"));
        Tensor computed = pr.w().mul(2f);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(computed), 0.1))
                .getMessage().contains("not a leaf"));
        Tensor strided = Tensor.zeros(3, 2).t();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(strided), 0.1))
                .getMessage().contains("not contiguous"));
        Optimizer opt = new SGD(pr.params(), 0.1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(new ParamGroup(List.of(pr.b()), 0.01)))
                .getMessage().contains("already in another parameter group"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(pr.params(), -1))
                .getMessage().contains("learning rate: -1.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(pr.params(), 0.1, 1.0, 0.999, 1e-8, 0, false))
                .getMessage().contains("beta1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD(pr.params(), 0.1, 0, 0, true, 0))
                .getMessage().contains("Nesterov"));
    }

    @Test
    void tiedParametersAreUpdatedOnce() {
        Problem pr = new Problem();
        Optimizer opt = new Adam(List.of(pr.w(), pr.b(), pr.w()), 0.1);
        for (float[] expected : OptimGolden.ADAM) {
            pr.step(opt);
            assertArrayEquals(expected, pr.values(), TOL);
        }
        assertFalse(opt.stateDict().containsKey("2.step"));
    }
}
