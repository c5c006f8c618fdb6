package gradus.optim;

import gradus.config.ConfigException;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class OptimizersTest {
    private static List<Tensor> params() {
        return List.of(Tensor.zeros(2, 3).requiresGrad(true), Tensor.zeros(3).requiresGrad(true));
    }

    @Test
    void buildsEachTypeAndRoundTripsItsConfig() {
        List<Map<String, Object>> configs = List.of(
                Map.of("type", "sgd", "lr", 0.1, "momentum", 0.9, "nesterov", true, "weight_decay", 1e-4),
                Map.of("type", "Adam", "lr", 0.001, "betas", List.of(0.8, 0.99), "weight_decay", 0, "amsgrad", true),
                Map.of("type", "adamw", "lr", 0.002),
                Map.of("type", "rmsprop", "lr", 0.01, "alpha", 0.9, "momentum", 0.5, "centered", true));
        List<Class<?>> classes = List.of(SGD.class, Adam.class, AdamW.class, RMSprop.class);
        for (int i = 0; i < configs.size(); i++) {
            Optimizer opt = Optimizers.fromConfig(configs.get(i), params());
            assertEquals(classes.get(i), opt.getClass());
            assertEquals(opt.config(), Optimizers.fromConfig(opt.config(), params()).config());
        }
        Map<String, Object> adam = Optimizers.fromConfig(configs.get(1), params()).config();
        assertEquals(List.of(0.8, 0.99), adam.get("betas"));
        assertEquals(true, adam.get("amsgrad"));
        assertEquals(0.01, Optimizers.fromConfig(configs.get(2), params()).config().get("weight_decay"));
        assertEquals(0.5, Optimizers.fromConfig(configs.get(3), params()).config().get("momentum"));
    }

    @Test
    void configBuiltOptimizerFollowsTheSameRule() {
        Tensor w = Tensor.of(OptimGolden.W0).requiresGrad(true), b = Tensor.of(OptimGolden.B0.clone()).requiresGrad(true);
        Optimizer opt = Optimizers.fromConfig(Map.of("type", "adam", "lr", 0.1, "betas", List.of(0.8, 0.95), "eps", 0.1), List.of(w, b));
        Tensor.of(OptimGolden.X).matmul(w).add(b).sub(Tensor.of(OptimGolden.Y)).pow(2f).sum().backward();
        opt.step();
        assertArrayEquals(java.util.Arrays.copyOfRange(OptimGolden.ADAM_BETAS_EPS[0], 0, 6), w.toArray(), 1e-5f);
    }

    @Test
    void errorsNameTheKeyAndTheChoices() {
        var type = assertThrows(ConfigException.class, () -> Optimizers.fromConfig(Map.of("type", "lamb"), params()));
        assertTrue(type.getMessage().contains("'lamb'") && type.getMessage().contains("adam, adamw, rmsprop, sgd"), type.getMessage());
        var key = assertThrows(ConfigException.class,
                () -> Optimizers.fromConfig(Map.of("type", "adam", "lr", 0.1, "beta1", 0.9), params()));
        assertTrue(key.getMessage().contains("beta1") && key.getMessage().contains("betas") && key.getMessage().contains("optimizer"),
                key.getMessage());
        var betas = assertThrows(ConfigException.class,
                () -> Optimizers.fromConfig(Map.of("type", "adam", "betas", List.of(0.9)), params()));
        assertTrue(betas.getMessage().contains("'betas'") && betas.getMessage().contains("two numbers"), betas.getMessage());
        var lr = assertThrows(ConfigException.class, () -> Optimizers.fromConfig(Map.of("type", "sgd"), params()));
        assertTrue(lr.getMessage().contains("missing key 'lr'"), lr.getMessage());
        var value = assertThrows(ConfigException.class,
                () -> Optimizers.fromConfig(Map.of("type", "adam", "betas", List.of(0.9, 1.5)), params()));
        assertTrue(value.getMessage().contains("beta2") && value.getMessage().contains("in optimizer"), value.getMessage());
        var nesterov = assertThrows(ConfigException.class,
                () -> Optimizers.fromConfig(Map.of("type", "sgd", "lr", 0.1, "nesterov", true), params()));
        assertTrue(nesterov.getMessage().contains("Nesterov"), nesterov.getMessage());
    }
}
