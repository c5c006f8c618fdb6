package gradus.privacy;

import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.data.datasets.FashionMnist;
import gradus.metrics.Metric;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.train.Loss;
import gradus.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MembershipAuditTest {
    @Test
    void aucMatchesScikitLearn() {
        // sklearn.metrics.roc_auc_score([1,1,1,0,0], [3,2,1,2,0]) = 0.75
        var a = MembershipAudit.attack("t", new double[]{3, 2, 1}, new double[]{2, 0});
        assertEquals(0.75, a.auc(), 1e-12);
        // threshold 3: TPR 1/3, FPR 0 ; threshold >= 1 : TPR 1, FPR 1/2 → best 0.5
        assertEquals(0.5, a.advantage(), 1e-12);
        assertEquals(1.0 / 3, a.tprAtOnePercentFpr(), 1e-12);
        assertEquals(0.5, MembershipAudit.attack("t", new double[]{1, 1}, new double[]{1, 1}).auc(), 1e-12);
    }

    /** Under no leak the AUC of 500 vs 500 has a standard deviation of about 0.018: 0.62 is over six of them. */
    @Test
    void anOverfitModelLeaksMembershipARegularizedOneBarely() {
        TensorDataset train = FashionMnist.sample("train"), test = FashionMnist.sample("test");
        int n = 500;
        TensorDataset members = take(train, n), nonMembers = take(test, n);

        Rng.manualSeed(1);
        Module overfit = new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 10));
        Trainer.of(overfit).optimizer(new Adam(overfit.parameters(), 3e-3)).loss(Loss.crossEntropy()).metrics(Metric.accuracy())
                .fit(DataLoader.of(members).batchSize(32).shuffle(1), null, 40);
        var leaky = MembershipAudit.run(overfit, members, nonMembers, n, 7);

        Rng.manualSeed(1);
        Module regularized = new Sequential(new Flatten(), new Linear(784, 10));
        Trainer.of(regularized).optimizer(new Adam(regularized.parameters(), 1e-3)).loss(Loss.crossEntropy())
                .regularization(0, 0.05).fit(DataLoader.of(members).batchSize(32).shuffle(1), null, 3);
        var tight = MembershipAudit.run(regularized, members, nonMembers, n, 7);

        System.out.printf("overfit: loss AUC %.3f (confidence %.3f), member loss %.4f vs %.4f; regularized: loss AUC %.3f (confidence %.3f), %.4f vs %.4f%n",
                leaky.loss().auc(), leaky.confidence().auc(), leaky.memberLoss(), leaky.nonMemberLoss(),
                tight.loss().auc(), tight.confidence().auc(), tight.memberLoss(), tight.nonMemberLoss());
        assertTrue(leaky.loss().auc() > 0.62, "an overfit model should leak: loss-attack AUC " + leaky.loss().auc());
        assertTrue(leaky.confidence().auc() > 0.6, "confidence-attack AUC " + leaky.confidence().auc());
        assertTrue(Math.abs(tight.loss().auc() - 0.5) < 0.06, "a regularized model should leak little: AUC " + tight.loss().auc());
    }

    private static TensorDataset take(TensorDataset d, int n) {
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        var b = d.get(idx);
        return new TensorDataset(b.x(), b.labels());
    }
}
