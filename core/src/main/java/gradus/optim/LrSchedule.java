package gradus.optim;

/**
 * The learning rate over training, as a multiple of the optimizer's base learning rate.
 * Build one with {@link Schedules}; attach it with {@link Optimizer#setSchedule}.
 */
@FunctionalInterface
public interface LrSchedule {
    /** The multiplier of the base learning rate for update number {@code step} (0 for the first update). */
    double factor(int step);
}
