package gradus.models;

import gradus.autograd.GradMode;
import gradus.data.Interactions;
import gradus.nn.Losses;
import gradus.optim.Optimizer;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.BitSet;

/**
 * Bayesian personalized ranking (Rendle et al. 2009) for implicit feedback: for each observed (user, item) a
 * negative item the user has not interacted with is drawn, and the loss {@code −log σ(s(u, i) − s(u, j))} pushes the
 * positive above it, with L2 {@code λ (‖p_u‖² + ‖q_i‖² + ‖q_j‖²)} on the vectors of the batch. An epoch visits
 * every interaction once in a seeded random order, with fresh negatives. With {@code candidates > 1} the negative is
 * the best-scored of that many uniform draws (dynamic negative sampling, Zhang et al. 2013): uniform negatives are
 * mostly ranked low already, so their gradient is small, while top-k metrics depend on the items near the top.
 *
 * @param batchSize  interactions per optimizer step
 * @param l2         λ, per triple
 * @param seed       the order of the interactions and the negatives
 * @param candidates uniform draws per negative, the highest-scored kept (1: plain uniform sampling)
 */
public record Bpr(int batchSize, float l2, long seed, int candidates) {
    public Bpr {
        if (batchSize < 1) throw new IllegalArgumentException("BPR batch size must be at least 1, got " + batchSize);
        if (l2 < 0) throw new IllegalArgumentException("BPR l2 must be >= 0, got " + l2);
        if (candidates < 1) throw new IllegalArgumentException("BPR negative candidates must be at least 1, got " + candidates);
    }

    /** Uniform negatives. */
    public Bpr(int batchSize, float l2, long seed) {
        this(batchSize, l2, seed, 1);
    }

    /** Trains {@code model} (a factorization without biases, or with them) for {@code epochs}; reports each epoch's mean loss. */
    public void fit(MatrixFactorization model, Interactions train, Optimizer optimizer, int epochs, EpochListener listener) {
        if (train.numUsers() != model.numUsers() || train.numItems() != model.numItems()) {
            throw new IllegalArgumentException("the interactions are " + train.numUsers() + " users x " + train.numItems()
                    + " items, the model " + model.numUsers() + " x " + model.numItems());
        }
        BitSet[] seen = train.itemsByUser();
        Rng rng = new Rng(seed);
        model.train();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            int[] order = rng.permutation(train.size());
            double lossSum = 0;
            for (int start = 0; start < order.length; start += batchSize) {
                int b = Math.min(batchSize, order.length - start);
                int[] u = new int[b], pos = new int[b], neg = new int[b];
                for (int r = 0; r < b; r++) {
                    int row = order[start + r];
                    u[r] = train.users()[row];
                    pos[r] = train.items()[row];
                }
                sampleNegatives(model, train, seen, u, neg, rng);
                Tensor loss = loss(model, IntTensor.of(u, b), IntTensor.of(pos, b), IntTensor.of(neg, b));
                optimizer.zeroGrad();
                loss.backward();
                optimizer.step();
                lossSum += (double) loss.item() * b;
            }
            if (listener != null) listener.epochEnd(epoch, lossSum / order.length);
        }
        model.eval();
    }

    /** One negative per row of {@code u} into {@code neg}: the best-scored of {@link #candidates} unseen draws. */
    private void sampleNegatives(MatrixFactorization model, Interactions train, BitSet[] seen, int[] u, int[] neg, Rng rng) {
        int b = u.length;
        if (candidates == 1) {
            for (int r = 0; r < b; r++) neg[r] = train.sampleUnseen(seen[u[r]], rng);
            return;
        }
        int[] cu = new int[b * candidates], ci = new int[b * candidates];
        for (int r = 0; r < b; r++) {
            for (int c = 0; c < candidates; c++) {
                cu[r * candidates + c] = u[r];
                ci[r * candidates + c] = train.sampleUnseen(seen[u[r]], rng);
            }
        }
        float[] s;
        try (var g = GradMode.noGrad()) {
            s = model.score(IntTensor.of(cu, cu.length), IntTensor.of(ci, ci.length)).contiguousData();
        }
        for (int r = 0; r < b; r++) {
            int best = r * candidates;
            for (int c = best + 1; c < (r + 1) * candidates; c++) if (s[c] > s[best]) best = c;
            neg[r] = ci[best];
        }
    }

    /** The batch's BPR loss: mean of −log σ(s⁺ − s⁻) plus λ/B times the squared norms of the vectors it touched. */
    public Tensor loss(MatrixFactorization model, IntTensor users, IntTensor positives, IntTensor negatives) {
        Tensor margin = model.score(users, positives).sub(model.score(users, negatives));
        Tensor loss = Losses.bceWithLogits(margin, Tensor.full(1f, margin.shape()));
        if (l2 == 0) return loss;
        Tensor pu = model.userFactors().indexSelect(0, users), qi = model.itemFactors().indexSelect(0, positives),
                qj = model.itemFactors().indexSelect(0, negatives);
        Tensor norms = pu.mul(pu).sum().add(qi.mul(qi).sum()).add(qj.mul(qj).sum());
        return loss.add(norms.mul(l2 / users.numel()));
    }

    /** Called after each epoch with its mean loss. */
    @FunctionalInterface
    public interface EpochListener {
        void epochEnd(int epoch, double meanLoss);
    }
}
