package gradus.metrics;

import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Expected numbers from tools/golden/metrics_reference.py (sklearn's definitions in plain Python), checked by hand below. */
class ClassificationReportTest {
    static final List<String> NAMES = List.of("cat", "dog", "bird", "fish", "newt");
    static final int[] ACTUAL = {0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 0, 1};
    static final int[] PREDICTED = {0, 0, 1, 2, 1, 1, 0, 2, 1, 1, 0, 1};
    private static final double EPS = 1e-12;

    static ConfusionMatrix matrix() {
        var cm = new ConfusionMatrix(NAMES);
        cm.add(PREDICTED, ACTUAL);
        return cm;
    }

    @Test
    void confusionMatrixCountsAndRendering() {
        var cm = matrix();
        // rows = actual: cat → 3 cat, 1 dog, 1 bird; dog → 1 cat, 3 dog; bird → 1 dog, 1 bird; fish → 1 dog.
        assertArrayEquals(new long[][]{{3, 1, 1, 0, 0}, {1, 3, 0, 0, 0}, {0, 1, 1, 0, 0}, {0, 1, 0, 0, 0}, {0, 0, 0, 0, 0}}, cm.counts());
        assertEquals(12, cm.total());
        assertEquals(7, cm.correct());
        assertEquals(5, cm.support(0));
        assertEquals(6, cm.predictedCount(1));
        assertEquals("""
                actual \\ predicted  cat  dog  bird  fish  newt
                cat                   3    1     1     0     0
                dog                   1    3     0     0     0
                bird                  0    1     1     0     0
                fish                  0    1     0     0     0
                newt                  0    0     0     0     0
                """, cm.render());
    }

    @Test
    void perClassScoresWithZeroDivision() {
        var r = ClassificationReport.of(matrix());
        assertEquals(7.0 / 12, r.accuracy(), EPS);
        assertEquals(12, r.samples());
        var c = r.perClass();
        // cat: TP 3, predicted 4, support 5 → P 3/4, R 3/5, F1 2·3/(2·3+1+2) = 2/3
        assertEquals(new ClassificationReport.ClassScores("cat", 0.75, 0.6, 2.0 / 3, 5), c.get(0));
        assertEquals(0.5, c.get(1).precision(), EPS);  // dog: 3 of 6 predictions
        assertEquals(0.75, c.get(1).recall(), EPS);
        assertEquals(0.6, c.get(1).f1(), EPS);
        assertEquals(0.5, c.get(2).f1(), EPS);
        // fish is never predicted: precision 0/0 → 0 (zero_division=0), recall 0/1, F1 0.
        assertEquals(new ClassificationReport.ClassScores("fish", 0, 0, 0, 1), c.get(3));
        assertEquals(new ClassificationReport.ClassScores("newt", 0, 0, 0, 0), c.get(4));
    }

    @Test
    void averagesFollowSklearn() {
        var r = ClassificationReport.of(matrix());
        // macro over the 4 classes that occur (newt occurs nowhere, as sklearn's default labels): (0.75+0.5+0.5+0)/4
        assertEquals(0.4375, r.macro().precision(), EPS);
        assertEquals(0.4625, r.macro().recall(), EPS);
        assertEquals(0.44166666666666665, r.macro().f1(), EPS);
        // weighted by support 5, 4, 2, 1: (0.75·5 + 0.5·4 + 0.5·2)/12
        assertEquals(0.5625, r.weighted().precision(), EPS);
        assertEquals(0.5833333333333334, r.weighted().recall(), EPS);
        assertEquals(0.561111111111111, r.weighted().f1(), EPS);
        // single-label: micro precision = recall = F1 = accuracy
        assertEquals(r.accuracy(), r.micro().precision(), EPS);
        assertEquals(r.accuracy(), r.micro().recall(), EPS);
        assertEquals(r.accuracy(), r.micro().f1(), EPS);
    }

    @Test
    void mapHasTheReportFields() {
        Map<String, Object> m = ClassificationReport.of(matrix()).toMap();
        assertEquals(List.of("accuracy", "precision_macro", "recall_macro", "f1_macro", "precision_micro", "recall_micro", "f1_micro",
                "precision_weighted", "recall_weighted", "f1_weighted", "samples", "per_class"), List.copyOf(m.keySet()));
        assertEquals(12L, m.get("samples"));
        assertEquals(0.4375, (double) m.get("precision_macro"), EPS);
        assertEquals(Map.of("precision", 0.0, "recall", 0.0, "f1", 0.0, "support", 1L), ((Map<?, ?>) m.get("per_class")).get("fish"));
        assertEquals(NAMES, List.copyOf(((Map<?, ?>) m.get("per_class")).keySet()));
    }

    @Test
    void textMatchesSklearnLayout() {
        // Printed by tools/golden/metrics_reference.py with sklearn's column layout.
        assertEquals("""
                              precision    recall  f1-score   support

                         cat       0.75      0.60      0.67         5
                         dog       0.50      0.75      0.60         4
                        bird       0.50      0.50      0.50         2
                        fish       0.00      0.00      0.00         1
                        newt       0.00      0.00      0.00         0

                    accuracy                           0.58        12
                   macro avg       0.44      0.46      0.44        12
                weighted avg       0.56      0.58      0.56        12
                """, ClassificationReport.of(matrix()).toString());
    }

    @Test
    void emptyMatrixGivesZeros() {
        var r = ClassificationReport.of(new ConfusionMatrix(3));
        assertEquals(0, r.accuracy());
        assertEquals(0, r.macro().f1());
        assertEquals(0, r.weighted().precision());
        assertEquals(0, r.micro().recall());
    }

    @Test
    void matrixFromLogitsAndBinaryLogits() {
        var cm = new ConfusionMatrix(3);
        cm.add(Tensor.of(new float[][]{{0.1f, 2f, -1f}, {3f, 0f, 0f}, {0f, 0f, 5f}}), IntTensor.of(new int[]{1, 2, 2}));
        assertArrayEquals(new long[][]{{0, 0, 0}, {0, 1, 0}, {1, 0, 1}}, cm.counts());
        var binary = new ConfusionMatrix(List.of("ham", "spam"));
        binary.add(Tensor.of(new float[]{-2f, 0.5f, 0f, 3f}, 4, 1), IntTensor.of(new int[]{0, 0, 1, 1}));
        assertArrayEquals(new long[][]{{1, 1}, {1, 1}}, binary.counts());
        var e = assertThrows(IllegalArgumentException.class, () -> cm.add(Tensor.zeros(2, 4), IntTensor.of(new int[]{0, 1})));
        assertTrue(e.getMessage().contains("output with 4 classes does not fit a confusion matrix of 3 classes"), e.getMessage());
    }

    @Test
    void badInputIsNamed() {
        var cm = new ConfusionMatrix(3);
        var len = assertThrows(IllegalArgumentException.class, () -> cm.add(new int[]{0, 1}, new int[]{0}));
        assertEquals("2 predictions but 1 actual labels", len.getMessage());
        var range = assertThrows(IndexOutOfBoundsException.class, () -> cm.add(new int[]{0, 3}, new int[]{0, 0}));
        assertEquals("predicted class 3 at index 1 is out of range for 3 classes", range.getMessage());
        assertEquals(0, cm.total(), "a rejected batch adds nothing");
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(List.of("a", "a")));
    }

    @Test
    void longNamesAreShortenedInTheTable() {
        var cm = new ConfusionMatrix(List.of("comp.sys.ibm.pc.hardware", "x"));
        cm.add(new int[]{0, 1, 1}, new int[]{0, 0, 1});
        assertEquals("""
                actual \\ predicted  comp.sys.ib…  x
                comp.sys.ib…                   1  1
                x                              0  1
                """, cm.render());
    }
}
