package gradus.privacy;

import java.util.PriorityQueue;
import java.util.function.DoubleUnaryOperator;

/**
 * Adaptive integration with the 15-point Gauss–Kronrod rule (QUADPACK's QK15): the interval with the largest
 * error estimate |K15 − G7| is halved until the total estimate is within tolerance.
 */
final class GaussKronrod {
    private static final double[] NODES = {0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
            0.864864423359769072789712788640926, 0.741531185599394439863864773280788, 0.586087235467691130294144845693013,
            0.405845151377397166906606412076961, 0.207784955007898467600689403773245, 0};
    private static final double[] KRONROD = {0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
            0.104790010322250183839876322541518, 0.140653259715525918745189590510238, 0.169004726639267902826583426598550,
            0.190350578064785409913256402421014, 0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
    /** The 7-point Gauss weights of the odd-indexed nodes above (1, 3, 5 and the centre). */
    private static final double[] GAUSS = {0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
            0.381830050505118944950369775488975, 0.417959183673469387755102040816327};
    private static final int MAX_INTERVALS = 5_000;

    private record Piece(double a, double b, double value, double error) {}

    private GaussKronrod() {}

    /** ∫ f over [a, b] to within max(absTol, relTol·|result|). */
    static double integrate(DoubleUnaryOperator f, double a, double b, double absTol, double relTol) {
        PriorityQueue<Piece> pieces = new PriorityQueue<>((x, y) -> Double.compare(y.error, x.error));
        Piece whole = rule(f, a, b);
        pieces.add(whole);
        double value = whole.value, error = whole.error;
        while (error > Math.max(absTol, relTol * Math.abs(value)) && pieces.size() < MAX_INTERVALS) {
            Piece worst = pieces.poll();
            double mid = (worst.a + worst.b) / 2;
            if (mid <= worst.a || mid >= worst.b) { // cannot be split further in double precision
                pieces.add(new Piece(worst.a, worst.b, worst.value, 0));
                error -= worst.error;
                continue;
            }
            Piece left = rule(f, worst.a, mid), right = rule(f, mid, worst.b);
            pieces.add(left);
            pieces.add(right);
            value += left.value + right.value - worst.value;
            error += left.error + right.error - worst.error;
        }
        double sum = 0; // re-summed: the running total above collects rounding from every update
        for (Piece p : pieces) sum += p.value;
        return sum;
    }

    private static Piece rule(DoubleUnaryOperator f, double a, double b) {
        double centre = (a + b) / 2, half = (b - a) / 2;
        double fc = f.applyAsDouble(centre);
        double kronrod = KRONROD[7] * fc, gauss = GAUSS[3] * fc;
        for (int i = 0; i < 7; i++) {
            double dx = half * NODES[i];
            double sum = f.applyAsDouble(centre - dx) + f.applyAsDouble(centre + dx);
            kronrod += KRONROD[i] * sum;
            if (i % 2 == 1) gauss += GAUSS[i / 2] * sum;
        }
        return new Piece(a, b, kronrod * half, Math.abs((kronrod - gauss) * half));
    }
}
