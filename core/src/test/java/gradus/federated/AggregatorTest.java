package gradus.federated;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AggregatorTest {
    private static ClientUpdate u(String id, int examples, float... delta) {
        return new ClientUpdate(id, delta, examples);
    }

    @Test
    void fedAvgWeighsByExampleCount() {
        // (1·[1, 2] + 3·[5, -2]) / 4 = [4, -1]
        float[] avg = Aggregator.fedAvg().aggregate(List.of(u("a", 1, 1, 2), u("b", 3, 5, -2)));
        assertArrayEquals(new float[]{4, -1}, avg, 1e-6f);
    }

    @Test
    void medianAndTrimmedMeanIgnoreAnOutlier() {
        var updates = List.of(u("a", 1, 1, 10), u("b", 1, 2, 20), u("c", 1, 3, 30), u("d", 1, 4, 40), u("e", 1000, 1e6f, -1e6f));
        assertArrayEquals(new float[]{3, 20}, Aggregator.median().aggregate(updates), 1e-6f);
        // beta 0.2 of 5 trims one value from each tail: column 0 {2,3,4}, column 1 {10,20,30}
        assertArrayEquals(new float[]{3, 20}, Aggregator.trimmedMean(0.2).aggregate(updates), 1e-6f);
        // the even case averages the two middle values
        assertArrayEquals(new float[]{2.5f, 25}, Aggregator.median().aggregate(updates.subList(0, 4)), 1e-6f);
        // FedAvg is dragged to the attacker
        assertTrue(Aggregator.fedAvg().aggregate(updates)[0] > 9e5f);
    }

    @Test
    void krumPicksAnHonestUpdate() {
        // four honest updates near (1, 1), two attackers far away; f = 1 needs more than 4 updates
        var updates = List.of(u("a", 1, 1.0f, 1.1f), u("b", 1, 0.9f, 1.0f), u("c", 1, 1.1f, 0.9f), u("d", 1, 1.0f, 1.0f),
                u("x", 1, 50, -50), u("y", 1, -40, 60));
        float[] picked = Aggregator.krum(1).aggregate(updates);
        // d is the centre of the honest cluster: its n - f - 2 = 3 nearest neighbours are a, b, c
        assertArrayEquals(new float[]{1.0f, 1.0f}, picked, 0f);
        var e = assertThrows(IllegalArgumentException.class, () -> Aggregator.krum(2).aggregate(updates));
        assertTrue(e.getMessage().contains("more than 6"), e.getMessage());
    }

    @Test
    void mismatchedUpdatesAreRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Aggregator.median().aggregate(List.of(u("a", 1, 1, 2), u("b", 1, 1))));
        assertTrue(e.getMessage().contains("client b"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Aggregator.named("mode", 0, 0));
    }

    @Test
    void fedAdamFollowsReddiEtAl() {
        // x=0; Δ1=1: m=0.1, v=0.01, x += 0.1·0.1/(0.1+τ); Δ2=-1: m=0.09-0.1=-0.01, v=0.0099+0.01=0.0199
        float[] x = {0};
        ServerOptimizer adam = ServerOptimizer.adam(0.1, 0.9, 0.99, 1e-3);
        adam.apply(x, new float[]{1});
        double x1 = 0.1 * 0.1 / (0.1 + 1e-3);
        assertArrayEquals(new float[]{(float) x1}, x, 1e-7f);
        adam.apply(x, new float[]{-1});
        double x2 = x1 + 0.1 * -0.01 / (Math.sqrt(0.0199) + 1e-3);
        assertArrayEquals(new float[]{(float) x2}, x, 1e-7f);
    }
}
