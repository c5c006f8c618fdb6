package gradus.data;

import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * A dataset held in memory as one input tensor whose first dimension indexes the examples, with
 * either integer class labels or float targets. Gathering a batch copies whole rows.
 */
public final class TensorDataset implements Dataset {
    private final Tensor x;
    private final IntTensor labels;
    private final Tensor targets;
    private final List<String> classNames;
    private final List<String> featureNames;

    // Row-major storage and row lengths, so get() is one arraycopy per example.
    private final float[] xData;
    private final int xRow;
    private final float[] targetData;
    private final int targetRow;

    /** A classification dataset: {@code labels} has one class index per example. */
    public TensorDataset(Tensor x, IntTensor labels) {
        this(x, labels, null, List.of(), List.of());
    }

    /** A classification dataset whose class {@code i} is called {@code classNames.get(i)}. */
    public TensorDataset(Tensor x, IntTensor labels, List<String> classNames) {
        this(x, labels, null, classNames, List.of());
    }

    /** A regression dataset (or float targets such as BCE targets): {@code targets} has a first dimension of examples. */
    public TensorDataset(Tensor x, Tensor targets) {
        this(x, null, targets, List.of(), List.of());
    }

    private TensorDataset(Tensor x, IntTensor labels, Tensor targets, List<String> classNames, List<String> featureNames) {
        if (labels == null && targets == null) throw new IllegalArgumentException("a dataset needs labels or targets");
        if (x.dim() == 0) throw new IllegalArgumentException("inputs need a first dimension of examples, got a scalar");
        int n = x.size(0);
        if (labels != null) {
            if (labels.dim() == 0 || labels.size(0) != n) {
                throw new IllegalArgumentException("inputs " + Arrays.toString(x.shape()) + " have " + n
                        + " examples but labels " + Arrays.toString(labels.shape()) + " do not");
            }
            if (!classNames.isEmpty()) {
                for (int label : labels.data()) {
                    if (label < 0 || label >= classNames.size()) {
                        throw new IllegalArgumentException("label " + label + " has no class name (" + classNames.size() + " names given)");
                    }
                }
            }
        }
        if (targets != null && (targets.dim() == 0 || targets.size(0) != n)) {
            throw new IllegalArgumentException("inputs " + Arrays.toString(x.shape()) + " have " + n
                    + " examples but targets " + Arrays.toString(targets.shape()) + " do not");
        }
        this.x = rowMajor(x);
        this.labels = labels;
        this.targets = targets == null ? null : rowMajor(targets);
        this.classNames = List.copyOf(classNames);
        this.featureNames = List.copyOf(featureNames);
        this.xData = this.x.data();
        this.xRow = n == 0 ? 0 : xData.length / n;
        this.targetData = this.targets == null ? null : this.targets.data();
        this.targetRow = this.targets == null || n == 0 ? 0 : targetData.length / n;
    }

    private static Tensor rowMajor(Tensor t) {
        float[] d = t.contiguousData();
        return d == t.data() ? t : Tensor.of(d, t.shape());
    }

    /** This dataset with names for the input features (e.g. CSV column names); the tensors are shared. */
    public TensorDataset withFeatureNames(List<String> names) {
        int features = xRow;
        if (names.size() != features) {
            throw new IllegalArgumentException(names.size() + " feature names for " + features + " features per example");
        }
        return new TensorDataset(x, labels, targets, classNames, names);
    }

    @Override
    public int size() {
        return x.size(0);
    }

    @Override
    public Batch get(int[] indices) {
        int n = size();
        int[] shape = x.shape();
        shape[0] = indices.length;
        float[] bx = new float[indices.length * xRow];
        float[] bt = targets == null ? null : new float[indices.length * targetRow];
        for (int i = 0; i < indices.length; i++) {
            int r = indices[i];
            if (r < 0 || r >= n) throw new IndexOutOfBoundsException("example " + r + " out of range for a dataset of " + n);
            System.arraycopy(xData, r * xRow, bx, i * xRow, xRow);
            if (bt != null) System.arraycopy(targetData, r * targetRow, bt, i * targetRow, targetRow);
        }
        Tensor batchTargets = null;
        if (bt != null) {
            int[] ts = targets.shape();
            ts[0] = indices.length;
            batchTargets = Tensor.of(bt, ts);
        }
        return new Batch(Tensor.of(bx, shape), labels == null ? null : labels.select(indices), batchTargets);
    }

    /** The examples at {@code indices}, copied into a new dataset that keeps the class and feature names. */
    @Override
    public TensorDataset subset(int[] indices) {
        Batch b = get(indices);
        return new TensorDataset(b.x(), b.labels(), b.targets(), classNames, featureNames);
    }

    /** All inputs, shape {@code [N, ...]}. */
    public Tensor x() {
        return x;
    }

    /** Class labels, shape {@code [N]}; null for a regression dataset. */
    public IntTensor labels() {
        return labels;
    }

    /** Float targets, shape {@code [N, ...]}; null for a classification dataset. */
    public Tensor targets() {
        return targets;
    }

    /** The shape of one example's inputs (the input shape without the first dimension). */
    public int[] exampleShape() {
        int[] s = x.shape();
        return Arrays.copyOfRange(s, 1, s.length);
    }

    /** Names of the classes, indexed by label; empty when unknown or for regression. */
    public List<String> classNames() {
        return classNames;
    }

    /** The number of classes: the class names if given, else one more than the largest label; 0 for regression. */
    public int numClasses() {
        if (labels == null) return 0;
        if (!classNames.isEmpty()) return classNames.size();
        int max = -1;
        for (int label : labels.data()) max = Math.max(max, label);
        return max + 1;
    }

    /** Names of the input features (e.g. CSV columns); empty when unknown. */
    public List<String> featureNames() {
        return featureNames;
    }

    @Override
    public String toString() {
        return "TensorDataset(" + size() + " examples, x " + Arrays.toString(x.shape())
                + (labels != null ? ", " + numClasses() + " classes" : ", targets " + Arrays.toString(targets.shape())) + ")";
    }
}
