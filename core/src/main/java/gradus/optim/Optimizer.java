package gradus.optim;

import gradus.kernels.Parallel;
import gradus.tensor.Shape;
import gradus.tensor.StateDicts;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Updates parameters in place from their gradients, following PyTorch's update rules. Subclasses give the
 * elementwise rule ({@link #update}); this class owns the parameter groups, the per-parameter state (slot
 * tensors such as {@code exp_avg}, allocated once, and step counts), the learning-rate schedule and the
 * state dict that lets training resume exactly.
 */
public abstract class Optimizer {
    /** Elements per parallel chunk; smaller parameters are updated on the caller's thread. */
    private static final int GRAIN = 1 << 14;

    private final double defaultLr;
    private final double defaultWeightDecay;
    private final List<String> slotNames;
    private final List<Group> groups = new ArrayList<>();
    private final List<ParamState> states = new ArrayList<>();
    private final Set<Tensor> known = Collections.newSetFromMap(new IdentityHashMap<>());
    private LrSchedule schedule = step -> 1.0;
    private int steps;

    /** A group's base learning rate (what the schedule scales) and weight decay. */
    private static final class Group {
        double lr;
        final double weightDecay;

        Group(double lr, double weightDecay) {
            this.lr = lr;
            this.weightDecay = weightDecay;
        }
    }

    /** One parameter, its group, its slots (as tensors for the state dict and raw arrays for the update) and updates done. */
    private static final class ParamState {
        final Tensor param;
        final Group group;
        final Tensor[] slotTensors;
        final float[][] slots;
        int step;

        ParamState(Tensor param, Group group, int slotCount) {
            this.param = param;
            this.group = group;
            this.slotTensors = new Tensor[slotCount];
            this.slots = new float[slotCount][];
            for (int k = 0; k < slotCount; k++) {
                slotTensors[k] = Tensor.zeros(param.shape());
                slots[k] = slotTensors[k].data();
            }
        }
    }

    /**
     * @param params      the first parameter group, trained with {@code lr} and {@code weightDecay}
     * @param slotNames   the per-parameter state this optimizer keeps, each a tensor shaped like the parameter
     */
    protected Optimizer(List<Tensor> params, double lr, double weightDecay, List<String> slotNames) {
        checkNonNegative("learning rate", lr);
        checkNonNegative("weight decay", weightDecay);
        if (params.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
        this.defaultLr = lr;
        this.defaultWeightDecay = weightDecay;
        this.slotNames = List.copyOf(slotNames);
        addParamGroup(new ParamGroup(params, lr, weightDecay));
    }

    /**
     * Updates {@code n} elements in place: parameter values {@code p[po..]}, gradient {@code g[go..]} and each
     * slot {@code slots[k][so..]} (in the order of the slot names). {@code step} counts this parameter's updates,
     * this one included (1 on the first).
     */
    protected abstract void update(float[] p, int po, float[] g, int go, float[][] slots, int so, int n,
                                   int step, double lr, double weightDecay);

    /** The optimizer's type and hyperparameters, as {@link Optimizers#fromConfig} reads them. */
    public abstract Map<String, Object> config();

    /**
     * Adds parameters with their own learning rate and weight decay (NaN in the group: this optimizer's
     * defaults from construction). A parameter may belong to one group only; repeats within a group
     * (tied weights) are updated once.
     */
    public final void addParamGroup(ParamGroup group) {
        Group g = new Group(Double.isNaN(group.lr()) ? defaultLr : group.lr(),
                Double.isNaN(group.weightDecay()) ? defaultWeightDecay : group.weightDecay());
        checkNonNegative("learning rate", g.lr);
        checkNonNegative("weight decay", g.weightDecay);
        Set<Tensor> inGroup = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Tensor> fresh = new ArrayList<>();
        for (Tensor p : group.params()) {
            if (!inGroup.add(p)) continue;
            int index = states.size() + fresh.size();
            if (known.contains(p)) {
                throw new IllegalArgumentException("a parameter of shape " + Shape.str(p.shape())
                        + " is already in another parameter group of this optimizer");
            }
            if (!p.isLeaf()) {
                throw new IllegalArgumentException("parameter " + index + " (shape " + Shape.str(p.shape())
                        + ") is not a leaf tensor: it was computed by " + p.gradFn().op() + "; optimize the tensors it came from");
            }
            if (!p.isContiguous()) {
                throw new IllegalArgumentException("parameter " + index + " (shape " + Shape.str(p.shape())
                        + ") is not contiguous; optimizers update parameters in place and need contiguous storage");
            }
            fresh.add(p);
        }
        groups.add(g);
        for (Tensor p : fresh) {
            known.add(p);
            states.add(new ParamState(p, g, slotNames.size()));
        }
    }

    /** Applies one update to every parameter that has a gradient; parameters without one are left alone. */
    public void step() {
        double factor = schedule.factor(steps);
        for (ParamState s : states) {
            Tensor grad = s.param.grad();
            if (grad == null) continue;
            int step = ++s.step;
            boolean dense = grad.isContiguous();
            float[] g = dense ? grad.data() : grad.toArray();
            int go = dense ? grad.offset() : 0;
            float[] p = s.param.data();
            int po = s.param.offset();
            float[][] slots = s.slots;
            double lr = s.group.lr * factor, wd = s.group.weightDecay;
            int n = s.param.numel();
            if (n < 2 * GRAIN) {
                update(p, po, g, go, slots, 0, n, step, lr, wd);
            } else {
                Parallel.forRange(n, GRAIN, (from, to) -> update(p, po + from, g, go + from, slots, from, to - from, step, lr, wd));
            }
        }
        steps++;
    }

    /** Drops every parameter's gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        for (ParamState s : states) s.param.zeroGrad();
    }

    /** How many times {@link #step()} has run (restored by {@link #loadStateDict}). */
    public int steps() {
        return steps;
    }

    /** The learning rate the next step uses in the first group: its base rate times the schedule's factor. */
    public double lr() {
        return lr(0);
    }

    /** The learning rate the next step uses in group {@code group} (0 is the constructor's parameters). */
    public double lr(int group) {
        return groups.get(group).lr * schedule.factor(steps);
    }

    /** The first group's learning rate before the schedule scales it. */
    public double baseLr() {
        return groups.get(0).lr;
    }

    /** The weight decay given at construction (a {@link ParamGroup} may override it). */
    public double weightDecay() {
        return defaultWeightDecay;
    }

    /** Sets the base learning rate of every group; a schedule scales it from there. */
    public void setLr(double lr) {
        checkNonNegative("learning rate", lr);
        for (Group g : groups) g.lr = lr;
    }

    public int groupCount() {
        return groups.size();
    }

    /** Scales every group's base learning rate by {@code schedule.factor(steps())} from now on. */
    public void setSchedule(LrSchedule schedule) {
        this.schedule = schedule;
    }

    public LrSchedule schedule() {
        return schedule;
    }

    /**
     * A snapshot of the optimizer's progress: {@code "step"} (the {@link #steps()} count), and per parameter
     * {@code "<index>.step"} and each slot as {@code "<index>.<slot>"} (e.g. {@code "3.exp_avg"}), with
     * parameters indexed in the order they were given across groups. Step counts are 1-element tensors.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("step", Tensor.scalar(steps));
        for (int i = 0; i < states.size(); i++) {
            ParamState s = states.get(i);
            out.put(i + ".step", Tensor.scalar(s.step));
            for (int k = 0; k < slotNames.size(); k++) {
                out.put(i + "." + slotNames.get(k), Tensor.of(s.slotTensors[k].toArray(), s.param.shape()));
            }
        }
        return out;
    }

    /**
     * Restores a {@link #stateDict()} saved from an optimizer of the same type over parameters of the same
     * shapes. The error names missing, unexpected or mismatched keys; nothing changes unless all match.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> mine = stateDict();
        StateDicts.requireMatch("optimizer state does not match " + getClass().getSimpleName() + " over " + states.size() + " parameters",
                mine, state, "state", "optimizer");
        int[] counts = new int[states.size()];
        for (int i = 0; i < counts.length; i++) counts[i] = stepCount(state, i + ".step");
        steps = stepCount(state, "step");
        for (int i = 0; i < counts.length; i++) {
            ParamState s = states.get(i);
            s.step = counts[i];
            for (int k = 0; k < slotNames.size(); k++) s.slotTensors[k].copyFrom(state.get(i + "." + slotNames.get(k)));
        }
    }

    private static int stepCount(Map<String, Tensor> state, String key) {
        float v = state.get(key).item();
        if (!(v >= 0 && v == Math.rint(v))) {
            throw new IllegalArgumentException("'" + key + "' must be a non-negative whole number of steps, got " + v);
        }
        return (int) v;
    }

    protected static void checkNonNegative(String name, double value) {
        if (!(value >= 0)) throw new IllegalArgumentException("invalid " + name + ": " + value + " (must be >= 0)");
    }

    /** Decay rates such as betas, alpha and momentum lie in [0, 1). */
    protected static void checkRate(String name, double value) {
        if (!(value >= 0 && value < 1)) throw new IllegalArgumentException("invalid " + name + ": " + value + " (must be in [0, 1))");
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + config();
    }
}
