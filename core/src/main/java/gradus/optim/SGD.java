package gradus.optim;

import gradus.kernels.VectorWidth;
import gradus.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 weight decay, as {@code torch.optim.SGD}. */
public final class SGD extends Optimizer {
    private static final VectorSpecies<Float> S = VectorWidth.FLOAT;

    private final double momentum;
    private final double dampening;
    private final boolean nesterov;

    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, false, 0);
    }

    public SGD(List<Tensor> params, double lr, double momentum) {
        this(params, lr, momentum, 0, false, 0);
    }

    /**
     * @param dampening   the share of each new gradient held back from the momentum buffer
     * @param nesterov    look ahead along the momentum (needs momentum > 0 and no dampening)
     * @param weightDecay L2 penalty added to the gradient as {@code weightDecay * param}
     */
    public SGD(List<Tensor> params, double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
        super(params, lr, weightDecay, momentum != 0 ? List.of("momentum_buffer") : List.of());
        checkNonNegative("momentum", momentum);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and zero dampening, got momentum "
                    + momentum + " and dampening " + dampening);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
    }

    @Override
    protected void update(float[] p, int po, float[] g, int go, float[][] slots, int so, int n,
                          int step, double lr, double weightDecay) {
        float wd = (float) weightDecay, rate = (float) lr, mu = (float) momentum, keep = (float) (1 - dampening);
        float[] buf = momentum != 0 ? slots[0] : null;
        // PyTorch starts the buffer at the first gradient itself, without dampening.
        boolean first = step == 1, nest = nesterov;
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            FloatVector pv = FloatVector.fromArray(S, p, po + i);
            FloatVector d = FloatVector.fromArray(S, g, go + i);
            if (wd != 0) d = d.add(pv.mul(wd));
            if (buf != null) {
                FloatVector b = first ? d : FloatVector.fromArray(S, buf, so + i).mul(mu).add(d.mul(keep));
                b.intoArray(buf, so + i);
                d = nest ? d.add(b.mul(mu)) : b;
            }
            pv.sub(d.mul(rate)).intoArray(p, po + i);
        }
        for (; i < n; i++) {
            float pv = p[po + i], d = g[go + i];
            if (wd != 0) d = d + pv * wd;
            if (buf != null) {
                float b = first ? d : buf[so + i] * mu + d * keep;
                buf[so + i] = b;
                d = nest ? d + b * mu : b;
            }
            p[po + i] = pv - d * rate;
        }
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "sgd");
        c.put("lr", baseLr());
        c.put("momentum", momentum);
        c.put("dampening", dampening);
        c.put("nesterov", nesterov);
        c.put("weight_decay", weightDecay());
        return c;
    }
}
