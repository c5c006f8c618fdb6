package gradus.prune;

import gradus.nn.AvgPool2d;
import gradus.nn.Conv2d;
import gradus.nn.Dropout;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Structured pruning that really shrinks shapes (torch.nn.utils.prune.ln_structured, then the layers rebuilt):
 * in a {@link Sequential}, each {@link Conv2d} loses the output channels, each hidden {@link Linear} the output
 * neurons, of least L1 or L2 norm, and the next Conv2d or Linear (across ReLU, pooling, dropout and Flatten)
 * loses the matching inputs. The last weight layer keeps its outputs (the model's classes). Returns a new model.
 */
public final class ChannelPruning {
    /** The norm that ranks channels. */
    public enum Norm { L1, L2 }

    private ChannelPruning() {}

    /** {@code model} with {@code fraction} of the channels / neurons of every weight layer but the last removed. */
    public static Sequential prune(Sequential model, double fraction, Norm norm) {
        MagnitudePruning.checkSparsity(fraction);
        List<Module> layers = new ArrayList<>(model.layers());
        List<Integer> weighted = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (m instanceof Linear || m instanceof Conv2d) weighted.add(i);
            else if (!(m instanceof ReLU || m instanceof MaxPool2d || m instanceof AvgPool2d || m instanceof Dropout || m instanceof Flatten)) {
                throw new IllegalArgumentException("channel pruning does not know how layer " + i + " (" + m + ") maps channels; "
                        + "it handles Linear, Conv2d, ReLU, pooling, Dropout and Flatten");
            }
        }
        if (weighted.size() < 2) throw new IllegalArgumentException("channel pruning needs two weight layers (the second takes the first's channels)");
        for (int w = 0; w + 1 < weighted.size(); w++) {
            int i = weighted.get(w), next = weighted.get(w + 1);
            Module m = layers.get(i);
            Tensor weight = m instanceof Linear l ? l.weight() : ((Conv2d) m).weight();
            int channels = weight.size(0), keepCount = Math.max(1, channels - (int) Math.round(channels * fraction));
            int[] keep = strongest(weight, keepCount, norm);
            layers.set(i, keepOutputs(m, keep));
            layers.set(next, keepInputs(layers.get(next), keep, channels));
        }
        Sequential out = new Sequential(layers);
        if (!model.isTraining()) out.eval();
        return out;
    }

    /** Indices (ascending) of the {@code count} output channels of largest norm. */
    static int[] strongest(Tensor weight, int count, Norm norm) {
        int channels = weight.size(0), per = weight.numel() / channels;
        float[] v = weight.toArray();
        double[] score = new double[channels];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < per; p++) {
                double x = v[c * per + p];
                score[c] += norm == Norm.L1 ? Math.abs(x) : x * x;
            }
        }
        Integer[] order = new Integer[channels];
        for (int c = 0; c < channels; c++) order[c] = c;
        Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));
        int[] keep = new int[count];
        for (int i = 0; i < count; i++) keep[i] = order[i];
        Arrays.sort(keep);
        return keep;
    }

    private static Module keepOutputs(Module m, int[] keep) {
        if (m instanceof Linear l) {
            Linear out = new Linear(l.weight().size(1), keep.length, l.bias() != null);
            copyRows(l.weight(), keep, out.weight());
            if (l.bias() != null) copyRows(l.bias(), keep, out.bias());
            return out;
        }
        Conv2d c = (Conv2d) m;
        Tensor w = c.weight();
        Conv2d out = conv(c, w.size(1), keep.length);
        copyRows(w, keep, out.weight());
        if (c.bias() != null) copyRows(c.bias(), keep, out.bias());
        return out;
    }

    /** {@code m} reading only input channels {@code keep} of {@code channels}; a Linear after Flatten reads blocks of H·W inputs per channel. */
    private static Module keepInputs(Module m, int[] keep, int channels) {
        if (m instanceof Linear l) {
            int in = l.weight().size(1), outF = l.weight().size(0);
            if (in % channels != 0) throw new IllegalArgumentException(l + " takes " + in + " inputs, no multiple of the " + channels + " channels before it");
            int block = in / channels;
            Linear out = new Linear(keep.length * block, outF, l.bias() != null);
            float[] src = l.weight().toArray(), dst = out.weight().data();
            int off = out.weight().offset(), inOut = keep.length * block;
            for (int r = 0; r < outF; r++) {
                for (int k = 0; k < keep.length; k++) System.arraycopy(src, r * in + keep[k] * block, dst, off + r * inOut + k * block, block);
            }
            if (l.bias() != null) copyRows(l.bias(), null, out.bias());
            return out;
        }
        Conv2d c = (Conv2d) m;
        Tensor w = c.weight();
        int outC = w.size(0), inC = w.size(1), plane = w.size(2) * w.size(3);
        Conv2d out = conv(c, keep.length, outC);
        float[] src = w.toArray(), dst = out.weight().data();
        int off = out.weight().offset();
        for (int o = 0; o < outC; o++) {
            for (int k = 0; k < keep.length; k++) System.arraycopy(src, (o * inC + keep[k]) * plane, dst, off + (o * keep.length + k) * plane, plane);
        }
        if (c.bias() != null) copyRows(c.bias(), null, out.bias());
        return out;
    }

    private static Conv2d conv(Conv2d like, int in, int out) {
        Tensor w = like.weight();
        return new Conv2d(in, out, new int[]{w.size(2), w.size(3)}, like.stride(), like.padding(), like.dilation(), like.bias() != null)
                .activation(like.activation());
    }

    /** Copies rows {@code keep} (all rows when null) of {@code src} [rows, …] into {@code dst}. */
    private static void copyRows(Tensor src, int[] keep, Tensor dst) {
        float[] s = src.toArray(), d = dst.data();
        int per = src.numel() / src.size(0), rows = keep == null ? src.size(0) : keep.length;
        for (int r = 0; r < rows; r++) System.arraycopy(s, (keep == null ? r : keep[r]) * per, d, dst.offset() + r * per, per);
    }
}
