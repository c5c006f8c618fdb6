package gradus.explain;

/**
 * One attribution per feature with the efficiency property: base + Σ values = full.
 *
 * @param values per feature
 * @param base   v(no feature): the expected output E[f] over the background
 * @param full   v(all features): the output for the explained input
 */
public record ShapleyValues(double[] values, double base, double full) {
    /** Σ values − (full − base): zero for exact and for KernelSHAP values, up to rounding. */
    public double efficiencyGap() {
        double s = 0;
        for (double v : values) s += v;
        return s - (full - base);
    }
}
