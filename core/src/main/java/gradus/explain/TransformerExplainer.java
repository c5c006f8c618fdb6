package gradus.explain;

import gradus.autograd.GradMode;
import gradus.models.TransformerClassifier;
import gradus.nn.Embedding;
import gradus.nn.F;
import gradus.nn.FusedLinear;
import gradus.nn.KeyPadding;
import gradus.nn.LayerNorm;
import gradus.nn.LearnedPositionalEmbedding;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.ScaledDotProductAttention;
import gradus.nn.TransformerEncoderBlock;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Explains a {@link TransformerClassifier} (eval mode) token by token. The classifier is re-run from its token
 * embeddings, so gradients reach each token's vector: Integrated Gradients from the zero vector (the padding
 * embedding) and gradient × input, both summed over the embedding width to one score per token. The padding
 * mask stays that of the input along the whole path. Also the attention weights of every layer and head, and
 * attention rollout (Abnar and Zuidema 2020): per layer the head-mean of the weights plus the identity (for the
 * residual), rows renormalized, multiplied through the layers.
 */
public final class TransformerExplainer {
    private final Embedding embedding;
    private final LearnedPositionalEmbedding positions;
    private final List<TransformerEncoderBlock> blocks = new ArrayList<>();
    private final LayerNorm norm;
    private final Linear head;

    public TransformerExplainer(TransformerClassifier model) {
        var c = model.children();
        this.embedding = (Embedding) c.get("embedding");
        this.positions = (LearnedPositionalEmbedding) c.get("positions");
        for (int i = 0; c.containsKey("block" + i); i++) blocks.add((TransformerEncoderBlock) c.get("block" + i));
        this.norm = (LayerNorm) c.get("norm");
        this.head = (Linear) c.get("head");
    }

    /** Whether {@code model} is a kind this class explains. */
    public static boolean supports(Module model) {
        return model instanceof TransformerClassifier;
    }

    /** Per-token scores and the attention of one text. */
    public record TokenExplanation(int[] ids, float[] integratedGradients, float[] gradientTimesInput, double gap,
                                   float[][][][] attention, float[] rollout, float[][] rolloutMatrix, float[] logits) {}

    /** Explains row ids [1, T] (right-padded with 0) towards class {@code target}; only the real tokens are reported. */
    public TokenExplanation explain(Tensor ids, int target, int steps) {
        if (ids.dim() != 2 || ids.size(0) != 1) {
            throw new IllegalArgumentException("explain one text at a time: token ids [1, T], got " + Shape.str(ids.shape()));
        }
        int length = lengths(ids)[0];
        Tensor real = ids.narrow(1, 0, length);
        Tensor emb;
        try (var g = GradMode.noGrad()) {
            emb = embedding.forward(real);
        }
        KeyPadding padding = KeyPadding.lengths(length);
        UnaryOperator<Tensor> fromEmbeddings = e -> forward(e, rows(length, e.size(0)), null);
        var ig = new IntegratedGradients(fromEmbeddings).steps(steps).attribute(emb, target);
        Tensor gxi = Saliency.gradientTimesInput(fromEmbeddings, emb, target);
        List<Tensor> attention = new ArrayList<>();
        Tensor logits;
        try (var g = GradMode.noGrad()) {
            logits = forward(emb, padding, attention);
        }
        float[][][][] weights = new float[attention.size()][][][];
        for (int l = 0; l < weights.length; l++) weights[l] = heads(attention.get(l), length);
        float[][] roll = rollout(weights, length);
        float[] tokenRollout = new float[length];
        for (float[] row : roll) for (int j = 0; j < length; j++) tokenRollout[j] += row[j] / length; // mean pooling reads every row
        int[] tokenIds = new int[length];
        for (int i = 0; i < length; i++) tokenIds[i] = (int) real.get(0, i);
        return new TokenExplanation(tokenIds, perToken(ig.attributions()), perToken(gxi), ig.gaps()[0], weights,
                tokenRollout, roll, logits.toArray());
    }

    /** The classifier's logits from token vectors [B, T, width]; collects each block's attention weights when asked. */
    Tensor forward(Tensor embedded, KeyPadding padding, List<Tensor> attention) {
        Tensor h = positions.forward(embedded);
        for (TransformerEncoderBlock block : blocks) h = block(block, h, padding, attention);
        return head.forward(norm.forward(h).mean(1)); // every position is a real token: the classifier's mean pooling
    }

    /** TransformerEncoderBlock.forward in eval mode, keeping the attention weights. */
    private static Tensor block(TransformerEncoderBlock block, Tensor x, KeyPadding padding, List<Tensor> attention) {
        boolean normFirst = Boolean.TRUE.equals(block.config().get("norm_first"));
        boolean keep = attention != null;
        if (normFirst) {
            Tensor h = block.norm1().forward(x);
            ScaledDotProductAttention.Result r = block.selfAttn().attend(h, h, h, false, padding, null, keep);
            if (keep) attention.add(r.weights());
            x = x.add(r.output());
            return x.add(mlp(block, block.norm2().forward(x)));
        }
        ScaledDotProductAttention.Result r = block.selfAttn().attend(x, x, x, false, padding, null, keep);
        if (keep) attention.add(r.weights());
        x = block.norm1().forward(x.add(r.output()));
        return block.norm2().forward(x.add(mlp(block, x)));
    }

    private static Tensor mlp(TransformerEncoderBlock block, Tensor x) {
        Tensor h = F.gelu(FusedLinear.apply(x, block.linear1().weight(), block.linear1().bias()));
        return FusedLinear.apply(h, block.linear2().weight(), block.linear2().bias());
    }

    private static KeyPadding rows(int length, int rows) {
        int[] l = new int[rows];
        java.util.Arrays.fill(l, length);
        return KeyPadding.lengths(l);
    }

    /** Weights [1, H, T, T] as [H][T][T]. */
    private static float[][][] heads(Tensor w, int t) {
        int h = w.size(1);
        float[] v = w.toArray();
        float[][][] out = new float[h][t][t];
        for (int k = 0; k < h; k++) for (int i = 0; i < t; i++) System.arraycopy(v, (k * t + i) * t, out[k][i], 0, t);
        return out;
    }

    /** Attention rollout over layers [L][H][T][T]: Π_l normalize(0.5·mean_h A + 0.5·I), first layer rightmost. */
    static float[][] rollout(float[][][][] layers, int t) {
        double[][] r = identity(t);
        for (float[][][] layer : layers) {
            double[][] a = new double[t][t];
            for (float[][] head : layer) for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) a[i][j] += head[i][j] / layer.length;
            for (int i = 0; i < t; i++) {
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    a[i][j] = 0.5 * a[i][j] + (i == j ? 0.5 : 0);
                    sum += a[i][j];
                }
                for (int j = 0; j < t; j++) a[i][j] /= sum;
            }
            r = multiply(a, r);
        }
        float[][] out = new float[t][t];
        for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) out[i][j] = (float) r[i][j];
        return out;
    }

    private static double[][] identity(int t) {
        double[][] m = new double[t][t];
        for (int i = 0; i < t; i++) m[i][i] = 1;
        return m;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int t = a.length;
        double[][] c = new double[t][t];
        for (int i = 0; i < t; i++) for (int k = 0; k < t; k++) for (int j = 0; j < t; j++) c[i][j] += a[i][k] * b[k][j];
        return c;
    }

    /** [1, T, width] summed over width → T scores. */
    private static float[] perToken(Tensor attr) {
        return attr.sum(2).reshape(-1).toArray();
    }

    /** Non-padding ids per row, at least 1 (as the classifier counts them). */
    static int[] lengths(Tensor ids) {
        int b = ids.size(0), t = ids.size(1);
        float[] v = ids.contiguousData();
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            int n = 0;
            for (int i = 0; i < t; i++) if (v[r * t + i] != 0f) n++;
            lengths[r] = Math.max(1, n);
        }
        return lengths;
    }
}
