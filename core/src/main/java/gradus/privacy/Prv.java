package gradus.privacy;

import java.util.ArrayList;
import java.util.List;

/**
 * Accounting by numerical composition of privacy random variables (Gopi, Lee and Wutschitz 2021, "Numerical
 * Composition of Differential Privacy"), as Opacus's {@code PRVAccountant}: each step's PRV is truncated to a
 * domain sized from RDP bounds, discretized on a grid fine enough for the error bounds, composed by FFT, and ε
 * read off the composed distribution. Reports the upper bound, with ε_error = 0.01 and δ_error = δ/1000 (Opacus's).
 */
public final class Prv extends PrivacyAccountant {
    static final double EPS_ERROR = 0.01;

    Prv() {}

    @Override
    public String mechanism() {
        return "prv";
    }

    @Override
    double epsilon(List<Steps> history, double delta) {
        return epsilon(history, delta, EPS_ERROR, delta / 1000);
    }

    static double epsilon(List<Steps> history, double delta, double epsError, double deltaError) {
        List<Steps> steps = history.stream().filter(s -> s.count() > 0).toList();
        if (steps.isEmpty()) return 0;
        long total = steps.stream().mapToLong(Steps::count).sum();
        double l = safeDomainSize(steps, total, epsError, deltaError);
        double meshSize = epsError / Math.sqrt(total * Math.log(12 / deltaError) / 2);
        PrvDomain domain = PrvDomain.aligned(-l, l, meshSize);
        List<DiscretePrv> composed = new ArrayList<>();
        for (Steps s : steps) {
            var prv = new SubsampledGaussianPrv(s.sampleRate(), s.noiseMultiplier(), domain.tMin(), domain.tMax());
            composed.add(DiscretePrv.of(prv, domain).composeSelf(s.count()));
        }
        while (composed.size() > 1) { // pairwise, as a balanced tree
            List<DiscretePrv> next = new ArrayList<>();
            if (composed.size() % 2 == 1) next.add(composed.removeLast());
            for (int i = 0; i + 1 < composed.size(); i += 2) next.add(composed.get(i).compose(composed.get(i + 1)));
            composed = next;
        }
        return composed.getFirst().epsilonUpperBound(delta, deltaError, epsError);
    }

    /**
     * Half-width L of a domain that holds all but a negligible mass of the composed PRV (Gopi et al., remark 5.6):
     * the RDP ε of the whole composition at δ_error/4 and of each single step at δ_error/(8·total steps), plus 3.
     */
    private static double safeDomainSize(List<Steps> steps, long total, double epsError, double deltaError) {
        double lMax = Rdp.epsilon(steps, deltaError / 4, Rdp.DEFAULT_ORDERS);
        for (Steps s : steps) {
            lMax = Math.max(lMax, Rdp.epsilon(List.of(new Steps(s.noiseMultiplier(), s.sampleRate(), 1)), deltaError / (8 * total), Rdp.DEFAULT_ORDERS));
        }
        return Math.max(lMax, epsError) + 3;
    }
}
