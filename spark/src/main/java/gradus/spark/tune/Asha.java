package gradus.spark.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The scheduler of asynchronous successive halving (ASHA; Li et al. 2018, "A System for Massively Parallel
 * Hyperparameter Tuning", Algorithm 2, with early-stopping rate s = 0). Rung k trains a trial to r·η^k epochs, up to
 * rung K = ⌊log_η(R/r)⌋. A free worker asks for a job: from the top rung down, the best trial among the top
 * ⌊|rung k|/η⌋ finished ones of rung k that has not been promoted yet goes on to rung k + 1; if there is none, a new
 * trial starts in rung 0. No worker waits for a rung to fill, and trials that never rank high enough simply stop.
 * With a finite number of trials, a worker that finds nothing to do waits until a running job finishes.
 */
final class Asha {
    /** Train trial {@code trial} (numbered in start order) to {@code epochs} epochs, the resource of rung {@code rung}. */
    record Job(int trial, int rung, int epochs) {}

    private record Result(int trial, double metric) {}

    private final int trials, minEpochs, eta, topRung;
    private final boolean maximize;
    private final List<List<Result>> rungs = new ArrayList<>();
    private final List<Set<Integer>> promoted = new ArrayList<>();
    private int started, running;

    Asha(int trials, int minEpochs, int eta, int maxEpochs, boolean maximize) {
        if (trials < 1) throw new IllegalArgumentException("ASHA needs at least 1 trial, got " + trials);
        if (minEpochs < 1) throw new IllegalArgumentException("ASHA's minimum epochs must be at least 1, got " + minEpochs);
        if (eta < 2) throw new IllegalArgumentException("ASHA's reduction factor eta must be at least 2, got " + eta);
        if (maxEpochs < minEpochs) throw new IllegalArgumentException("max epochs " + maxEpochs + " < min epochs " + minEpochs);
        this.trials = trials;
        this.minEpochs = minEpochs;
        this.eta = eta;
        this.maximize = maximize;
        int k = 0;
        for (long e = minEpochs; e * eta <= maxEpochs; e *= eta) k++;
        this.topRung = k;
        for (int i = 0; i <= topRung; i++) {
            rungs.add(new ArrayList<>());
            promoted.add(new HashSet<>());
        }
    }

    int topRung() {
        return topRung;
    }

    /** The epochs of rung k: r·η^k. */
    int epochs(int rung) {
        long e = minEpochs;
        for (int i = 0; i < rung; i++) e *= eta;
        return (int) e;
    }

    /** The next job, waiting while there is none but some job still runs; null once every trial has stopped. */
    synchronized Job take() throws InterruptedException {
        while (true) {
            Job job = next();
            if (job != null) {
                running++;
                return job;
            }
            if (running == 0) return null;
            wait();
        }
    }

    /** Algorithm 2's get_job, or null when no trial is promotable and all {@code trials} have started. */
    synchronized Job next() {
        for (int k = topRung - 1; k >= 0; k--) {
            List<Result> rung = new ArrayList<>(rungs.get(k));
            rung.sort(order());
            int candidates = rung.size() / eta;
            for (int i = 0; i < candidates; i++) {
                int t = rung.get(i).trial();
                if (!promoted.get(k).contains(t)) {
                    promoted.get(k).add(t);
                    return new Job(t, k + 1, epochs(k + 1));
                }
            }
        }
        if (started < trials) return new Job(started++, 0, epochs(0));
        return null;
    }

    /** A finished job's metric: the trial joins its rung. */
    synchronized void report(Job job, double metric) {
        rungs.get(job.rung()).add(new Result(job.trial(), metric));
        running = Math.max(0, running - 1);
        notifyAll();
    }

    /** A job that failed: its worker is free again, and the trial stops where it was. */
    synchronized void failed(Job job) {
        running = Math.max(0, running - 1);
        notifyAll();
    }

    /** The trials that reached the highest rung any trial reached. */
    synchronized List<Integer> highestRung() {
        for (int k = topRung; k >= 0; k--) {
            if (!rungs.get(k).isEmpty()) return rungs.get(k).stream().map(Result::trial).toList();
        }
        return List.of();
    }

    private Comparator<Result> order() {
        Comparator<Result> c = Comparator.comparingDouble(Result::metric);
        return (maximize ? c.reversed() : c).thenComparingInt(Result::trial);
    }
}
