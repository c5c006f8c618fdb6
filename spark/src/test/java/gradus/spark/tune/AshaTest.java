package gradus.spark.tune;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * ASHA's promotion rule (Li et al. 2018, Algorithm 2, s = 0) on a constructed table of losses: the jobs a single
 * worker gets, worked out by hand from get_job — for k from the second highest rung down to 0, the best of the top
 * ⌊|rung k|/η⌋ not yet promoted goes to rung k + 1, else a new trial starts in rung 0.
 */
class AshaTest {
    /** Validation loss of trial t at rung k (lower is better). */
    private static final Map<Integer, double[]> LOSS = Map.of(
            0, new double[]{0.5}, 1, new double[]{0.3, 0.25}, 2, new double[]{0.9}, 3, new double[]{0.2, 0.15},
            4, new double[]{0.8}, 5, new double[]{0.7}, 6, new double[]{0.1, 0.05, 0.04}, 7, new double[]{0.6}, 8, new double[]{0.4});

    private static List<Asha.Job> schedule(Asha asha) throws InterruptedException {
        List<Asha.Job> jobs = new ArrayList<>();
        for (Asha.Job job; (job = asha.take()) != null; ) {
            jobs.add(job);
            asha.report(job, LOSS.get(job.trial())[job.rung()]);
        }
        return jobs;
    }

    private static Asha.Job job(int trial, int rung, int epochs) {
        return new Asha.Job(trial, rung, epochs);
    }

    @Test
    void oneWorkerFollowsGetJobOnTheTable() throws InterruptedException {
        Asha asha = new Asha(9, 1, 3, 9, false); // rungs of 1, 3 and 9 epochs
        assertEquals(2, asha.topRung());
        List<Asha.Job> expected = List.of(
                job(0, 0, 1), job(1, 0, 1), job(2, 0, 1),
                job(1, 1, 3),                 // rung 0 = {0.5, 0.3, 0.9}: top ⌊3/3⌋ = 1 is trial 1
                job(3, 0, 1),                 // rung 1 has 1 (⌊1/3⌋ = 0), trial 1 already promoted: grow rung 0
                job(3, 1, 3),                 // rung 0 of 4: top 1 is trial 3 (0.2)
                job(4, 0, 1), job(5, 0, 1),   // tops {3} then {3, 1} of 5 and 6: promoted already
                job(6, 0, 1),
                job(6, 1, 3),                 // rung 0 of 7: top 2 = {6 (0.1), 3}: trial 6
                job(6, 2, 9),                 // rung 1 = {0.25, 0.15, 0.05}: top 1 is trial 6, checked before rung 0
                job(7, 0, 1), job(8, 0, 1));  // then tops of rung 0 (8 and 9: {6, 3}, {6, 3, 1}) are all promoted
        assertEquals(expected, schedule(asha));
        assertEquals(List.of(6), asha.highestRung());
        assertNull(asha.take(), "all 9 trials started and none promotable: done");
        int epochs = 0, previous;
        for (Asha.Job j : expected) {
            previous = j.rung() == 0 ? 0 : asha.epochs(j.rung() - 1); // a promoted trial resumes its checkpoint
            epochs += j.epochs() - previous;
        }
        assertEquals(9 + 3 * 2 + 6, epochs, "21 epochs where training all 9 to 9 epochs spends 81");
    }

    @Test
    void maximizingPromotesTheHighest() throws InterruptedException {
        Asha asha = new Asha(3, 2, 3, 6, true);
        Asha.Job a = asha.take(), b = asha.take(), c = asha.take(); // three workers at once
        assertEquals(List.of(0, 1, 2), List.of(a.trial(), b.trial(), c.trial()));
        asha.report(a, 0.7);
        asha.report(c, 0.9);
        assertNull(asha.next(), "⌊2/3⌋ = 0 candidates while trial 1 still runs, and no trial left to start");
        asha.report(b, 0.8);
        assertEquals(job(2, 1, 6), asha.take(), "accuracy 0.9 is the top third");
        assertEquals(6, asha.epochs(asha.topRung()));
    }

    @Test
    void refusesABadBracket() {
        assertThrows(IllegalArgumentException.class, () -> new Asha(4, 1, 1, 9, false));
        assertThrows(IllegalArgumentException.class, () -> new Asha(4, 5, 2, 4, false));
        assertThrows(IllegalArgumentException.class, () -> new Asha(0, 1, 2, 4, false));
    }
}
