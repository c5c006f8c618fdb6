package gradus.optim;

import gradus.config.Config;
import gradus.config.ConfigException;

import java.util.Arrays;
import java.util.Map;

/**
 * Learning-rate schedules matching PyTorch's StepLR, ExponentialLR, CosineAnnealingLR, LinearLR and
 * SequentialLR when stepped once per optimizer update, plus linear warm-up in front of any of them.
 */
public final class Schedules {
    private Schedules() {}

    public static LrSchedule constant() {
        return step -> 1.0;
    }

    /** Multiplies by {@code gamma} every {@code every} steps (StepLR). */
    public static LrSchedule step(int every, double gamma) {
        checkPositive("step decay interval", every);
        return step -> Math.pow(gamma, step / every);
    }

    /** Multiplies by {@code gamma} every step (ExponentialLR). */
    public static LrSchedule exponential(double gamma) {
        return step -> Math.pow(gamma, step);
    }

    /**
     * Half a cosine from 1 down to {@code minFactor} over {@code steps} steps, then {@code minFactor}
     * (CosineAnnealingLR with {@code eta_min = minFactor * base lr}, which would rise again after {@code steps}).
     */
    public static LrSchedule cosine(int steps, double minFactor) {
        checkPositive("cosine length", steps);
        return step -> step >= steps ? minFactor
                : minFactor + (1 - minFactor) * (1 + Math.cos(Math.PI * step / steps)) / 2;
    }

    /** From {@code start} to {@code end} linearly over {@code steps} steps, then {@code end} (LinearLR). */
    public static LrSchedule linear(double start, double end, int steps) {
        checkPositive("linear length", steps);
        return step -> start + (end - start) * Math.min(step, steps) / steps;
    }

    /** {@code first} for steps before {@code milestone}, then {@code then} counted from the milestone (SequentialLR). */
    public static LrSchedule sequence(LrSchedule first, int milestone, LrSchedule then) {
        return step -> step < milestone ? first.factor(step) : then.factor(step - milestone);
    }

    /**
     * Rises linearly to 1 over {@code steps} steps (1/steps, 2/steps, …, 1: no update is wasted at 0),
     * then follows {@code then} counted from the end of the warm-up.
     */
    public static LrSchedule warmup(int steps, LrSchedule then) {
        checkPositive("warm-up length", steps);
        return sequence(step -> (step + 1.0) / steps, steps, then);
    }

    /**
     * A schedule from a mapping such as {@code {type: cosine, epochs: 90, min_lr: 1e-5, warmup_steps: 500}}.
     * Types and their keys:
     * <ul>
     *   <li>{@code constant}</li>
     *   <li>{@code step}: {@code every_steps} or {@code every_epochs}, {@code gamma} (default 0.1)</li>
     *   <li>{@code exponential}: {@code gamma} per step</li>
     *   <li>{@code cosine}: {@code steps} or {@code epochs} (the whole run, warm-up included), {@code min_lr} (default 0)</li>
     *   <li>{@code linear}: {@code steps} or {@code epochs} (the whole run, warm-up included), {@code start_factor}
     *       (default 1), {@code end_factor} (default 0)</li>
     * </ul>
     * Every type also takes {@code warmup_steps} or {@code warmup_epochs}; the schedule starts after the warm-up.
     *
     * @param baseLr        the optimizer's learning rate, to turn {@code min_lr} into a factor
     * @param stepsPerEpoch optimizer updates per epoch, to turn {@code *epochs} keys into steps
     */
    public static LrSchedule fromConfig(Config c, double baseLr, int stepsPerEpoch) {
        String type = c.getString("type").toLowerCase();
        String[] own = switch (type) {
            case "constant" -> new String[0];
            case "step" -> new String[]{"every_steps", "every_epochs", "gamma"};
            case "exponential" -> new String[]{"gamma"};
            case "cosine" -> new String[]{"steps", "epochs", "min_lr"};
            case "linear" -> new String[]{"steps", "epochs", "start_factor", "end_factor"};
            default -> throw new ConfigException("unknown schedule type '" + type + "' in " + c.where()
                    + "; known: constant, cosine, exponential, linear, step");
        };
        String[] allowed = Arrays.copyOf(own, own.length + 3);
        allowed[own.length] = "type";
        allowed[own.length + 1] = "warmup_steps";
        allowed[own.length + 2] = "warmup_epochs";
        c.allowOnly(allowed);
        int warmup = c.has("warmup_steps") || c.has("warmup_epochs")
                ? duration(c, "warmup_steps", "warmup_epochs", stepsPerEpoch) : 0;
        LrSchedule main = switch (type) {
            case "step" -> step(duration(c, "every_steps", "every_epochs", stepsPerEpoch), c.getDouble("gamma", 0.1));
            case "exponential" -> exponential(c.getDouble("gamma"));
            case "cosine" -> {
                double minLr = c.getDouble("min_lr", 0);
                if (minLr < 0) throw new ConfigException("min_lr in " + c.where() + " must be >= 0, got " + minLr);
                if (minLr > 0 && !(baseLr > 0)) {
                    throw new ConfigException("min_lr in " + c.where() + " needs a positive base learning rate, got " + baseLr);
                }
                yield cosine(afterWarmup(c, warmup, stepsPerEpoch), minLr == 0 ? 0 : minLr / baseLr);
            }
            case "linear" -> linear(c.getDouble("start_factor", 1), c.getDouble("end_factor", 0),
                    afterWarmup(c, warmup, stepsPerEpoch));
            default -> constant(); // "constant"
        };
        return warmup > 0 ? warmup(warmup, main) : main;
    }

    public static LrSchedule fromConfig(Map<String, ?> config, double baseLr, int stepsPerEpoch) {
        return fromConfig(new Config("scheduler", config), baseLr, stepsPerEpoch);
    }

    /** The length left for the main schedule once the warm-up is done. */
    private static int afterWarmup(Config c, int warmup, int stepsPerEpoch) {
        int total = duration(c, "steps", "epochs", stepsPerEpoch);
        if (total <= warmup) {
            throw new ConfigException("the schedule in " + c.where() + " lasts " + total + " steps, which the warm-up of "
                    + warmup + " steps uses up; the length includes the warm-up");
        }
        return total - warmup;
    }

    /** A positive number of steps, given in steps or in epochs (exactly one of the two keys). */
    private static int duration(Config c, String stepsKey, String epochsKey, int stepsPerEpoch) {
        boolean inSteps = c.has(stepsKey), inEpochs = c.has(epochsKey);
        if (inSteps == inEpochs) {
            throw new ConfigException((inSteps ? "give either '" : "missing '") + stepsKey + "' or '" + epochsKey
                    + (inSteps ? "', not both," : "'") + " in " + c.where());
        }
        int steps;
        if (inSteps) {
            steps = c.getInt(stepsKey);
        } else {
            if (stepsPerEpoch <= 0) {
                throw new ConfigException("'" + epochsKey + "' in " + c.where() + " needs the number of steps per epoch, got " + stepsPerEpoch);
            }
            steps = Math.multiplyExact(c.getInt(epochsKey), stepsPerEpoch);
        }
        if (steps <= 0) {
            throw new ConfigException("'" + (inSteps ? stepsKey : epochsKey) + "' in " + c.where() + " must be positive, got "
                    + c.getString(inSteps ? stepsKey : epochsKey));
        }
        return steps;
    }

    private static void checkPositive(String what, int steps) {
        if (steps <= 0) throw new IllegalArgumentException(what + " must be a positive number of steps, got " + steps);
    }
}
