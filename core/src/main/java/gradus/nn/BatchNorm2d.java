package gradus.nn;

/** {@link BatchNorm} over [N, C, H, W]. */
public final class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int channels) {
        this(channels, 1e-5f, 0.1f);
    }

    public BatchNorm2d(int channels, float eps, float momentum) {
        super(channels, eps, momentum);
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 4;
    }

    @Override
    String layout() {
        return "[N, C, H, W]";
    }
}
