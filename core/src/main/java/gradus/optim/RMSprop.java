package gradus.optim;

import gradus.kernels.VectorWidth;
import gradus.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RMSprop: gradients divided by a running root mean square, optionally centered (by the running mean) and
 * with momentum, as {@code torch.optim.RMSprop}.
 */
public final class RMSprop extends Optimizer {
    private static final VectorSpecies<Float> S = VectorWidth.FLOAT;

    private final double alpha;
    private final double eps;
    private final double momentum;
    private final boolean centered;

    public RMSprop(List<Tensor> params, double lr) {
        this(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    /**
     * @param alpha       decay of the running mean of squared gradients
     * @param eps         added to the root mean square, for stability
     * @param weightDecay L2 penalty added to the gradient as {@code weightDecay * param}
     * @param centered    divide by an estimate of the gradient's variance rather than its raw second moment
     */
    public RMSprop(List<Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        super(params, lr, weightDecay, slotNames(momentum, centered));
        checkNonNegative("alpha", alpha);
        checkNonNegative("eps", eps);
        checkNonNegative("momentum", momentum);
        this.alpha = alpha;
        this.eps = eps;
        this.momentum = momentum;
        this.centered = centered;
    }

    private static List<String> slotNames(double momentum, boolean centered) {
        List<String> names = new ArrayList<>(List.of("square_avg"));
        if (momentum > 0) names.add("momentum_buffer");
        if (centered) names.add("grad_avg");
        return names;
    }

    @Override
    protected void update(float[] p, int po, float[] g, int go, float[][] slots, int so, int n,
                          int step, double lr, double weightDecay) {
        float[] sq = slots[0];
        float[] buf = momentum > 0 ? slots[1] : null;
        float[] mean = centered ? slots[slots.length - 1] : null;
        float wd = (float) weightDecay, rate = (float) lr, a = (float) alpha, c = (float) (1 - alpha);
        float e = (float) eps, mu = (float) momentum;
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            FloatVector pv = FloatVector.fromArray(S, p, po + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            if (wd != 0) gv = gv.add(pv.mul(wd));
            FloatVector sv = FloatVector.fromArray(S, sq, so + i).mul(a).add(gv.mul(gv).mul(c));
            sv.intoArray(sq, so + i);
            FloatVector var = sv;
            if (mean != null) {
                FloatVector mv = FloatVector.fromArray(S, mean, so + i).mul(a).add(gv.mul(c));
                mv.intoArray(mean, so + i);
                var = sv.sub(mv.mul(mv));
            }
            FloatVector avg = var.sqrt().add(e);
            if (buf != null) {
                FloatVector bv = FloatVector.fromArray(S, buf, so + i).mul(mu).add(gv.div(avg));
                bv.intoArray(buf, so + i);
                pv.sub(bv.mul(rate)).intoArray(p, po + i);
            } else {
                pv.sub(gv.div(avg).mul(rate)).intoArray(p, po + i);
            }
        }
        for (; i < n; i++) {
            float pv = p[po + i], gv = g[go + i];
            if (wd != 0) gv = gv + pv * wd;
            float sv = sq[so + i] * a + gv * gv * c;
            sq[so + i] = sv;
            float var = sv;
            if (mean != null) {
                float mv = mean[so + i] * a + gv * c;
                mean[so + i] = mv;
                var = sv - mv * mv;
            }
            float avg = (float) Math.sqrt(var) + e;
            if (buf != null) {
                float bv = buf[so + i] * mu + gv / avg;
                buf[so + i] = bv;
                p[po + i] = pv - bv * rate;
            } else {
                p[po + i] = pv - gv / avg * rate;
            }
        }
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "rmsprop");
        c.put("lr", baseLr());
        c.put("alpha", alpha);
        c.put("eps", eps);
        c.put("weight_decay", weightDecay());
        c.put("momentum", momentum);
        c.put("centered", centered);
        return c;
    }
}
