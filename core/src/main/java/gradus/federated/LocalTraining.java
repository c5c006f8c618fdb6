package gradus.federated;

import gradus.data.Batch;
import gradus.data.DataLoader;
import gradus.data.Dataset;
import gradus.nn.Module;
import gradus.optim.Optimizer;
import gradus.optim.Optimizers;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Loss;

import java.util.List;
import java.util.Map;

/**
 * A client's part of a round: start from the global weights, train {@code epochs} passes over the local data with a
 * fresh optimizer, report the weight change. With {@code proxMu} > 0 this is FedProx (Li et al. 2020): the local
 * objective gains (μ/2)·‖w − w_global‖², whose gradient μ·(w − w_global) is added to each parameter's gradient
 * after backward, so no layer needs to know about it.
 */
public record LocalTraining(int epochs, int batchSize, Map<String, ?> optimizer, double proxMu, Loss loss) {
    public LocalTraining {
        if (epochs < 1) throw new IllegalArgumentException("local epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("local batch size must be at least 1, got " + batchSize);
        if (!(proxMu >= 0)) throw new IllegalArgumentException("FedProx mu must be at least 0, got " + proxMu);
        optimizer = Map.copyOf(optimizer);
    }

    public ClientUpdate train(String client, Module model, float[] global, Dataset data, long seed) {
        FlatWeights.set(model, global);
        List<Tensor> params = model.parameters();
        List<float[]> anchor = proxMu > 0 ? params.stream().map(Tensor::toArray).toList() : List.of();
        Optimizer opt = Optimizers.fromConfig(optimizer, params);
        DataLoader loader = DataLoader.of(data).batchSize(batchSize).shuffle(Rng.derive(seed, 0x10CA1));
        model.train();
        for (int e = 0; e < epochs; e++) {
            for (Batch b : loader.epoch(e)) {
                Tensor objective = loss.compute(model.forward(b.x()), b);
                opt.zeroGrad();
                objective.backward();
                if (proxMu > 0) addProximalGradient(params, anchor);
                opt.step();
            }
        }
        float[] local = FlatWeights.get(model);
        float[] delta = new float[local.length];
        for (int i = 0; i < delta.length; i++) delta[i] = local[i] - global[i];
        return new ClientUpdate(client, delta, data.size());
    }

    private void addProximalGradient(List<Tensor> params, List<float[]> anchor) {
        for (int p = 0; p < params.size(); p++) {
            Tensor w = params.get(p);
            if (w.grad() == null) continue;
            float[] wv = w.contiguousData(), w0 = anchor.get(p);
            float[] prox = new float[wv.length];
            for (int i = 0; i < prox.length; i++) prox[i] = (float) (proxMu * (wv[i] - w0[i]));
            w.grad().copyFrom(w.grad().add(Tensor.of(prox, w.shape())));
        }
    }
}
