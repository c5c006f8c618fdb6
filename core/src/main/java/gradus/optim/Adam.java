package gradus.optim;

import gradus.kernels.VectorWidth;
import gradus.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with bias-corrected moments, optional AMSGrad and L2 weight decay added to the gradient,
 * as {@code torch.optim.Adam}. {@link AdamW} decouples the decay instead.
 */
public class Adam extends Optimizer {
    private static final VectorSpecies<Float> S = VectorWidth.FLOAT;

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean amsgrad;
    private final boolean decoupled;

    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /**
     * @param beta1       decay of the running mean of gradients
     * @param beta2       decay of the running mean of squared gradients
     * @param eps         added to the bias-corrected root mean square, for stability
     * @param weightDecay L2 penalty added to the gradient as {@code weightDecay * param}
     * @param amsgrad     divide by the largest second moment seen so far (Reddi et al., 2018)
     */
    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        this(params, lr, beta1, beta2, eps, weightDecay, amsgrad, false);
    }

    Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
         boolean amsgrad, boolean decoupled) {
        super(params, lr, weightDecay, amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq"));
        checkRate("beta1", beta1);
        checkRate("beta2", beta2);
        checkNonNegative("eps", eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.amsgrad = amsgrad;
        this.decoupled = decoupled;
    }

    @Override
    protected final void update(float[] p, int po, float[] g, int go, float[][] slots, int so, int n,
                                int step, double lr, double weightDecay) {
        float[] m = slots[0], v = slots[1], vMax = amsgrad ? slots[2] : null;
        // Like PyTorch: scalars in double, then the moments and the update in float.
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        float b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 - beta1), c2 = (float) (1 - beta2), e = (float) eps;
        float l2 = decoupled ? 0f : (float) weightDecay;
        float shrink = decoupled ? (float) (1 - lr * weightDecay) : 1f;
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            FloatVector pv = FloatVector.fromArray(S, p, po + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            if (l2 != 0) gv = gv.add(pv.mul(l2));
            if (shrink != 1) pv = pv.mul(shrink);
            FloatVector mv = FloatVector.fromArray(S, m, so + i).mul(b1).add(gv.mul(c1));
            FloatVector vv = FloatVector.fromArray(S, v, so + i).mul(b2).add(gv.mul(gv).mul(c2));
            mv.intoArray(m, so + i);
            vv.intoArray(v, so + i);
            if (vMax != null) {
                vv = vv.max(FloatVector.fromArray(S, vMax, so + i));
                vv.intoArray(vMax, so + i);
            }
            FloatVector denom = vv.sqrt().div(bc2Sqrt).add(e);
            pv.sub(mv.div(denom).mul(stepSize)).intoArray(p, po + i);
        }
        for (; i < n; i++) {
            float pv = p[po + i], gv = g[go + i];
            if (l2 != 0) gv = gv + pv * l2;
            if (shrink != 1) pv = pv * shrink;
            float mv = m[so + i] * b1 + gv * c1;
            float vv = v[so + i] * b2 + gv * gv * c2;
            m[so + i] = mv;
            v[so + i] = vv;
            if (vMax != null) {
                vv = Math.max(vv, vMax[so + i]);
                vMax[so + i] = vv;
            }
            float denom = (float) Math.sqrt(vv) / bc2Sqrt + e;
            p[po + i] = pv - mv / denom * stepSize;
        }
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", decoupled ? "adamw" : "adam");
        c.put("lr", baseLr());
        c.put("betas", List.of(beta1, beta2));
        c.put("eps", eps);
        c.put("weight_decay", weightDecay());
        c.put("amsgrad", amsgrad);
        return c;
    }
}
