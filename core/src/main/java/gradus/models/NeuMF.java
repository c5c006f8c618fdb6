package gradus.models;

import gradus.autograd.GradMode;
import gradus.nn.F;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.Embedding;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.nn.init.Init;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Neural collaborative filtering, NeuMF (He et al. 2017): a GMF tower (the element-wise product of user and item
 * vectors of size {@code factors}) beside an MLP tower (user and item vectors of size {@code mlp[0]/2}, concatenated,
 * through ReLU layers of sizes {@code mlp[1..]}); both outputs concatenated feed one linear unit, the preference logit
 * {@code [B, 1]}. Trained with binary cross-entropy on logits against interactions and sampled negatives.
 */
public final class NeuMF extends Module implements Recommender {
    private final int users, items, factors;
    private final List<Integer> mlp;
    private final Tensor gmfUser, gmfItem, mlpUser, mlpItem;
    private final Sequential tower;
    private final Linear predict;

    public NeuMF(int users, int items, int factors, List<Integer> mlp) {
        if (users <= 0 || items <= 0 || factors <= 0) {
            throw new IllegalArgumentException("NeuMF needs positive sizes, got users=" + users + ", items=" + items + ", factors=" + factors);
        }
        if (mlp.size() < 2 || mlp.get(0) % 2 != 0 || mlp.stream().anyMatch(n -> n <= 0)) {
            throw new IllegalArgumentException("NeuMF's mlp lists the tower's sizes, the first even (user and item halves) and at least two, got " + mlp);
        }
        this.users = users;
        this.items = items;
        this.factors = factors;
        this.mlp = List.copyOf(mlp);
        int half = mlp.get(0) / 2;
        gmfUser = table("gmf_user", users, factors);
        gmfItem = table("gmf_item", items, factors);
        mlpUser = table("mlp_user", users, half);
        mlpItem = table("mlp_item", items, half);
        List<Module> layers = new ArrayList<>();
        for (int l = 1; l < mlp.size(); l++) {
            layers.add(new Linear(mlp.get(l - 1), mlp.get(l)));
            layers.add(new ReLU());
        }
        tower = registerModule("mlp", new Sequential(layers));
        predict = registerModule("predict", new Linear(factors + mlp.get(mlp.size() - 1), 1));
    }

    /** A lookup table (an {@link Embedding}, sized within the parameter budget) drawn from N(0, 0.01²), as in NCF. */
    private Tensor table(String name, int rows, int dim) {
        return Init.normal(registerModule(name, new Embedding(rows, dim)).weight(), 0f, 0.01f);
    }

    /** Preference logits {@code [B, 1]} of pairs {@code [B, 2]}. */
    @Override
    public Tensor forward(Tensor pairs) {
        IntTensor[] ids = Recommender.ids(pairs, users, items);
        return score(ids[0], ids[1]);
    }

    public Tensor score(IntTensor u, IntTensor i) {
        Tensor gmf = F.embedding(u, gmfUser, -1).mul(F.embedding(i, gmfItem, -1));
        Tensor joint = Tensor.concat(List.of(F.embedding(u, mlpUser, -1), F.embedding(i, mlpItem, -1)), 1);
        return predict.forward(Tensor.concat(List.of(gmf, tower.forward(joint)), 1));
    }

    @Override
    public float[] scores(int user) {
        int[] u = new int[items], it = new int[items];
        for (int i = 0; i < items; i++) {
            u[i] = user;
            it[i] = i;
        }
        try (var g = GradMode.noGrad()) {
            return score(IntTensor.of(u, items), IntTensor.of(it, items)).contiguousData().clone();
        }
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
        c.put("type", "NeuMF");
        c.put("users", users);
        c.put("items", items);
        c.put("factors", factors);
        c.put("mlp", mlp);
        return c;
    }
}
