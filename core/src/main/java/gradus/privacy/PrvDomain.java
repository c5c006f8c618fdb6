package gradus.privacy;

/**
 * The evenly spaced grid t_min, t_min + dt, …, t_max (an even number of points) on which a privacy random variable
 * is discretized, and how far it has been shifted from the grid it was created on.
 */
record PrvDomain(double tMin, double tMax, int size, double shifts) {
    PrvDomain {
        if (size % 2 != 0) throw new IllegalArgumentException("a PRV domain needs an even size, got " + size);
    }

    /** The grid of spacing {@code dt} covering [tMin, tMax] with points on multiples of dt, grown by one point if odd. */
    static PrvDomain aligned(double tMin, double tMax, double dt) {
        tMin = Math.floor(tMin / dt) * dt;
        tMax = Math.ceil(tMax / dt) * dt;
        long size = Math.round((tMax - tMin) / dt) + 1;
        if (size % 2 == 1) {
            size++;
            tMax += dt;
        }
        if (size > Integer.MAX_VALUE / 4) throw new IllegalArgumentException("the PRV grid would need " + size + " points: the error bounds asked for are too tight");
        PrvDomain d = new PrvDomain(tMin, tMax, (int) size, 0);
        if (Math.abs(d.dt() - dt) / dt >= 1e-8) throw new IllegalStateException("PRV grid spacing " + d.dt() + " differs from " + dt);
        return d;
    }

    PrvDomain shiftRight(double by) {
        return new PrvDomain(tMin + by, tMax + by, size, shifts + by);
    }

    double dt() {
        return (tMax - tMin) / (size - 1);
    }

    /** The grid points, computed as numpy's linspace does (start + i·step, the last point exactly tMax). */
    double[] points() {
        double[] t = new double[size];
        double step = (tMax - tMin) / (size - 1);
        for (int i = 0; i < size; i++) t[i] = tMin + i * step;
        t[size - 1] = tMax;
        return t;
    }
}
