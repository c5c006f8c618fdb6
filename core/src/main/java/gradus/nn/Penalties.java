package gradus.nn;

import gradus.kernels.VectorMath;
import gradus.tensor.Tensor;

import java.util.Collection;

/**
 * Weight penalties to add to a loss, e.g. {@code loss.add(Penalties.l2(model.parameters()).mul(lambda))}.
 * Each is one operation over all the tensors, so a large model adds one node to the graph, not hundreds.
 */
public final class Penalties {
    private Penalties() {}

    /** Σ |w| over every element of every tensor (lasso); gradient sign(w), 0 at 0. */
    public static Tensor l1(Collection<Tensor> params) {
        Tensor[] ps = params.toArray(new Tensor[0]);
        double s = 0;
        for (Tensor p : ps) for (float v : p.contiguousData()) s += Math.abs(v);
        return Tensor.record(Tensor.scalar((float) s), "l1Penalty", g -> {
            float gv = g.item();
            Tensor[] out = new Tensor[ps.length];
            for (int i = 0; i < ps.length; i++) {
                float[] w = ps[i].contiguousData(), gw = new float[w.length];
                for (int j = 0; j < w.length; j++) gw[j] = w[j] > 0 ? gv : w[j] < 0 ? -gv : 0f;
                out[i] = Tensor.of(gw, ps[i].shape());
            }
            return out;
        }, ps);
    }

    /**
     * Σ w² over every element of every tensor, without the ½: adding {@code l2·λ} gives the
     * gradient 2λw, the same as SGD weight decay of 2λ.
     */
    public static Tensor l2(Collection<Tensor> params) {
        Tensor[] ps = params.toArray(new Tensor[0]);
        double s = 0;
        for (Tensor p : ps) {
            float[] w = p.contiguousData();
            s += VectorMath.dot(w, 0, w, 0, w.length);
        }
        return Tensor.record(Tensor.scalar((float) s), "l2Penalty", g -> {
            float twice = 2f * g.item();
            Tensor[] out = new Tensor[ps.length];
            for (int i = 0; i < ps.length; i++) {
                float[] w = ps[i].contiguousData(), gw = new float[w.length];
                VectorMath.scaleShift(w, 0, twice, 0f, gw, 0, w.length);
                out[i] = Tensor.of(gw, ps[i].shape());
            }
            return out;
        }, ps);
    }
}
