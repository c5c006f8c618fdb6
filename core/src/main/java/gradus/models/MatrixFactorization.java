package gradus.models;

import gradus.autograd.GradMode;
import gradus.nn.F;
import gradus.nn.Module;
import gradus.nn.Embedding;
import gradus.nn.init.Init;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Matrix factorization: {@code r̂(u, i) = μ + b_u + b_i + p_u · q_i} with user and item factors of size
 * {@code factors} (Koren, Bell and Volinsky 2009), trained on explicit ratings with MSE plus L2 (the recipe's
 * {@code training.l2}). Without biases it is the plain {@code p_u · q_i} that BPR ({@link Bpr}) trains on implicit
 * feedback. Factors start at N(0, initStd²), biases at zero and μ at {@code globalBias} (set it to the mean rating).
 */
public final class MatrixFactorization extends Module implements Recommender {
    private final int users, items, factors;
    private final boolean biases;
    private final float initStd, globalBiasInit;
    private final Tensor userFactors, itemFactors, userBias, itemBias, globalBias;

    public MatrixFactorization(int users, int items, int factors, boolean biases, float initStd, float meanRating) {
        if (users <= 0 || items <= 0 || factors <= 0) {
            throw new IllegalArgumentException("MatrixFactorization needs positive sizes, got users=" + users + ", items=" + items + ", factors=" + factors);
        }
        this.users = users;
        this.items = items;
        this.factors = factors;
        this.biases = biases;
        this.initStd = initStd;
        this.globalBiasInit = meanRating;
        userFactors = table("user_factors", users, factors, initStd);
        itemFactors = table("item_factors", items, factors, initStd);
        if (biases) {
            userBias = table("user_bias", users, 1, 0f);
            itemBias = table("item_bias", items, 1, 0f);
            globalBias = registerParameter("global_bias", Tensor.of(new float[]{meanRating}, 1));
        } else {
            userBias = itemBias = globalBias = null;
        }
    }

    /** A lookup table (an {@link Embedding}, whose size the parameter budget checks) drawn from N(0, std²). */
    private Tensor table(String name, int rows, int dim, float std) {
        Tensor w = registerModule(name, new Embedding(rows, dim)).weight();
        return std > 0 ? Init.normal(w, 0f, std) : w.fill(0f);
    }

    /** Predicted ratings (or preference scores) {@code [B, 1]} of pairs {@code [B, 2]}. */
    @Override
    public Tensor forward(Tensor pairs) {
        IntTensor[] ids = Recommender.ids(pairs, users, items);
        return score(ids[0], ids[1]);
    }

    /** Scores {@code [B, 1]} of the pairs (users[b], items[b]). */
    public Tensor score(IntTensor u, IntTensor i) {
        Tensor dot = F.embedding(u, userFactors, -1).mul(F.embedding(i, itemFactors, -1)).sum(1, true);
        if (!biases) return dot;
        return dot.add(F.embedding(u, userBias, -1)).add(F.embedding(i, itemBias, -1)).add(globalBias);
    }

    @Override
    public float[] scores(int user) {
        try (var g = GradMode.noGrad()) {
            Tensor s = userFactors.narrow(0, user, 1).matmul(itemFactors.t()); // [1, items]
            if (biases) s = s.add(itemBias.t()).add(userBias.narrow(0, user, 1)).add(globalBias);
            return s.contiguousData().clone();
        }
    }

    public Tensor userFactors() {
        return userFactors;
    }

    public Tensor itemFactors() {
        return itemFactors;
    }

    @Override
    public int numUsers() {
        return users;
    }

    @Override
    public int numItems() {
        return items;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "MatrixFactorization");
        c.put("users", users);
        c.put("items", items);
        c.put("factors", factors);
        c.put("biases", biases);
        c.put("init_std", initStd);
        c.put("global_bias", globalBiasInit);
        return c;
    }
}
