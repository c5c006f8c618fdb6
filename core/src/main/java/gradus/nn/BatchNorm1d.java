package gradus.nn;

/** {@link BatchNorm} over [N, C] or [N, C, L]. */
public final class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int features) {
        this(features, 1e-5f, 0.1f);
    }

    public BatchNorm1d(int features, float eps, float momentum) {
        super(features, eps, momentum);
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 2 || rank == 3;
    }

    @Override
    String layout() {
        return "[N, C] or [N, C, L]";
    }
}
