package gradus.privacy;

import gradus.autograd.GradMode;
import gradus.data.Batch;
import gradus.data.DataLoader;
import gradus.data.Dataset;
import gradus.nn.Module;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.Arrays;

/**
 * A membership-inference audit without shadow models: how well can an attacker who sees the model's outputs tell
 * training examples (members) from unseen ones? Two attacks score each example and report the area under their ROC
 * curve (0.5: no better than a coin; 1: every member found):
 * <ul>
 *   <li>loss threshold (Yeom et al. 2018): members tend to have lower loss; the score is −loss;</li>
 *   <li>confidence (Salem et al. 2019, "ML-Leaks", metric-based): the score is the largest softmax probability.</li>
 * </ul>
 * The two sets are subsampled (seeded) to the same size, so the AUC's baseline is 0.5. Also reported: the attack's
 * advantage, max over thresholds of TPR − FPR, which (ε, δ)-DP bounds by (e^ε − 1 + 2δ)/(e^ε + 1) (the
 * hypothesis-testing view of DP, Kairouz, Oh, Viswanath 2015), and the TPR at 1% FPR. These attacks give lower
 * bounds on leakage: a low AUC does not prove privacy, a high one proves a leak.
 */
public final class MembershipAudit {
    /** The outcome of one attack. */
    public record Attack(String name, double auc, double advantage, double tprAtOnePercentFpr) {}

    public record Result(int members, int nonMembers, double memberLoss, double nonMemberLoss, Attack loss, Attack confidence) {}

    private MembershipAudit() {}

    /** Audits a classifier whose outputs are logits, with at most {@code maxPerSet} examples from each set. */
    public static Result run(Module model, Dataset members, Dataset nonMembers, int maxPerSet, long seed) {
        if (members.size() == 0 || nonMembers.size() == 0) throw new IllegalArgumentException("the audit needs examples in both the training and the test set");
        int n = Math.min(maxPerSet, Math.min(members.size(), nonMembers.size()));
        double[][] in = scores(model, sample(members, n, seed));
        double[][] out = scores(model, sample(nonMembers, n, seed + 1));
        double[] inLossScore = negate(in[0]), outLossScore = negate(out[0]);
        return new Result(n, n, mean(in[0]), mean(out[0]),
                attack("loss_threshold", inLossScore, outLossScore), attack("confidence", in[1], out[1]));
    }

    private static Dataset sample(Dataset d, int n, long seed) {
        if (n == d.size()) return d;
        int[] idx = Arrays.copyOf(new Rng(seed).permutation(d.size()), n);
        Arrays.sort(idx);
        return d.subset(idx);
    }

    /** Per example: {cross-entropy loss, max softmax probability}, computed in double from the logits. */
    static double[][] scores(Module model, Dataset data) {
        double[] loss = new double[data.size()], confidence = new double[data.size()];
        boolean wasTraining = model.isTraining();
        model.eval();
        int at = 0;
        try (var g = GradMode.noGrad()) {
            for (Batch b : DataLoader.of(data).batchSize(512)) {
                if (b.labels() == null) throw new IllegalArgumentException("the membership audit needs class labels; the data has float targets");
                Tensor logits = model.forward(b.x());
                if (logits.dim() != 2) throw new IllegalArgumentException("the membership audit needs logits [N, C], the model gives " + Arrays.toString(logits.shape()));
                float[] z = logits.contiguousData();
                int c = logits.size(1);
                int[] y = b.labels().data();
                for (int i = 0; i < b.size(); i++, at++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < c; k++) max = Math.max(max, z[i * c + k]);
                    double sum = 0;
                    for (int k = 0; k < c; k++) sum += Math.exp(z[i * c + k] - max);
                    double logSum = max + Math.log(sum);
                    if (y[i] < 0 || y[i] >= c) throw new IllegalArgumentException("label " + y[i] + " is outside the model's " + c + " classes");
                    loss[at] = logSum - z[i * c + y[i]];
                    confidence[at] = 1 / sum; // exp(max − logSum)
                }
            }
        } finally {
            if (wasTraining) model.train();
        }
        return new double[][]{loss, confidence};
    }

    /** AUC by the Mann–Whitney U statistic (ties count half), the best TPR − FPR, and the TPR at FPR ≤ 1%. */
    static Attack attack(String name, double[] members, double[] nonMembers) {
        int m = members.length, n = nonMembers.length;
        double[] all = new double[m + n];
        System.arraycopy(members, 0, all, 0, m);
        System.arraycopy(nonMembers, 0, all, m, n);
        Integer[] order = new Integer[m + n];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(all[b], all[a])); // highest score first
        double rankSum = 0; // sum of the members' ascending ranks, ties averaged
        int tp = 0, fp = 0;
        double advantage = 0, tprAtLowFpr = 0;
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j < order.length && all[order[j]] == all[order[i]]) j++;
            double ascendingRank = order.length - (i + j - 1) / 2.0; // ranks i..j-1 from the top, 1-based from the bottom
            for (int k = i; k < j; k++) {
                if (order[k] < m) {
                    rankSum += ascendingRank;
                    tp++;
                } else {
                    fp++;
                }
            }
            double tpr = (double) tp / m, fpr = (double) fp / n;
            advantage = Math.max(advantage, tpr - fpr);
            if (fpr <= 0.01) tprAtLowFpr = tpr;
            i = j;
        }
        double auc = (rankSum - m * (m + 1) / 2.0) / ((double) m * n);
        return new Attack(name, auc, advantage, tprAtLowFpr);
    }

    private static double[] negate(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = -v[i];
        return out;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }
}
