package gradus.metrics;

import gradus.data.Batch;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * BLEU against sacreBLEU (its test cases, plus sacreBLEU 2.6.0 and NLTK output from
 * tools/golden/text_metrics.py), ROUGE against rouge-score's own tests, the stemmer against NLTK.
 */
class TextMetricsTest {
    private static final double EPS = 1e-9;

    // sacreBLEU test/test_bleu.py, the README example; given there as two reference streams, here per hypothesis.
    private static final List<String> HYPS = List.of("The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");
    private static final List<List<String>> REFS = List.of(
            List.of("The dog bit the man.", "The dog had bit the man."),
            List.of("It was not unexpected.", "No one was surprised."),
            List.of("The man bit him first.", "The man had bitten the dog."));

    private static void assertBleu(Bleu.Result r, double score, long[] matches, long[] totals, double[] precisions,
                                   double bp, long hypLen, long refLen) {
        assertEquals(score, r.score(), EPS, r.toString());
        assertArrayEquals(matches, r.matches());
        assertArrayEquals(totals, r.totals());
        assertArrayEquals(precisions, r.precisions(), EPS);
        assertEquals(bp, r.brevityPenalty(), 1e-12);
        assertEquals(hypLen, r.hypLength());
        assertEquals(refLen, r.refLength());
    }

    @Test
    void corpusBleuMatchesSacreBleu() {
        // test_bleu.py: 48.530827 with default settings; statistics from sacreBLEU 2.6.0
        Bleu.Result r = Bleu.corpus(HYPS, REFS);
        assertBleu(r, 48.530827009929865, new long[]{14, 7, 5, 3}, new long[]{17, 14, 11, 8},
                new double[]{82.3529411764706, 50.0, 45.45454545454545, 37.5}, 0.9428731438548749, 17, 18);
        assertEquals(17.0 / 18, r.ratio(), EPS);
        assertEquals("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", r.toString());

        // one reference each; and a variable count (the third hypothesis loses its second reference)
        List<List<String>> firstOnly = REFS.stream().map(rs -> List.of(rs.get(0))).toList();
        double[] p = {70.58823529411765, 42.857142857142854, 36.36363636363637, 37.5};
        assertBleu(Bleu.corpus(HYPS, firstOnly), 45.06750632106114, new long[]{12, 6, 4, 3}, new long[]{17, 14, 11, 8}, p, 1.0, 17, 17);
        List<List<String>> variable = List.of(REFS.get(0), REFS.get(1), List.of(REFS.get(2).get(0)));
        assertEquals(45.06750632106114, Bleu.corpus(HYPS, variable).score(), EPS);

        // test_bleu.py: empty hypotheses are kept and score 0
        Bleu.Result empty = Bleu.corpus(List.of("", "", ""), REFS);
        assertEquals(0.0, empty.score());
        assertEquals(0, empty.hypLength());
        assertEquals(0.0, empty.brevityPenalty());

        // no 3- or 4-grams at all: sacreBLEU floors log(0) and scores 0
        assertBleu(Bleu.corpus(List.of("the cat"), List.of(List.of("the cat sat on the mat"))), 0.0,
                new long[]{2, 1, 0, 0}, new long[]{2, 1, 0, 0}, new double[]{100, 100, 0, 0}, 0.1353352832366127, 2, 6);
    }

    @Test
    void corpusBleuAgreesWithNltkWhereNoSmoothingIsNeeded() {
        List<String> h = List.of("the quick brown fox jumps over the lazy dog", "a man walks his dog in the park every day",
                "she sells sea shells by the sea shore");
        List<List<String>> r = List.of(
                List.of("the quick brown fox jumped over the lazy dog", "a quick brown fox jumps over a lazy dog"),
                List.of("a man walks the dog in the park each day", "every day a man walks his dog in a park"),
                List.of("she sells shells by the sea shore", "by the sea shore she sells sea shells"));
        Bleu.Result b = Bleu.corpus(h, r);
        assertEquals(82.97869496616242, b.score(), EPS);   // sacreBLEU 2.6.0
        assertEquals(82.97869496616244, b.score(), 1e-9);  // 100 × NLTK corpus_bleu on split() tokens
        assertArrayEquals(new long[]{27, 23, 17, 11}, b.matches());
    }

    @Test
    void sentenceBleuUsesEffectiveOrderAndExpSmoothing() {
        // test_sentence_bleu.py (sacreBLEU issue #98): 8.493 with exp smoothing and 13a
        Bleu.Result r = Bleu.sentence("Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;",
                List.of("producţia de zahăr brut se exprimă în zahăr alb;"));
        assertBleu(r, 8.493098745313148, new long[]{5, 2, 0, 0}, new long[]{14, 13, 12, 11},
                new double[]{35.714285714285715, 15.384615384615385, 4.166666666666667, 2.272727272727273}, 1.0, 14, 10);
        assertEquals(8.493, r.score(), 1e-3);
        // a two-token hypothesis: only orders 1 and 2 count (sacreBLEU 2.6.0)
        assertEquals(42.88819424803536, Bleu.sentence("a test", List.of("a little test")).score(), EPS);
        // test_sentence_bleu.py (issue #141): no match at all is 0, not a smoothed positive value
        assertEquals(0.0, Bleu.sentence("this is a cat", List.of("okay thanks")).score());
        assertEquals(100.0, Bleu.sentence("this is a test", List.of("this is a test")).score(), EPS);
    }

    @Test
    void tokenizer13aMatchesSacreBleu() {
        assertEquals("Hello , world ! It's 3.14 or 1,000.5 -- 5 - 6 items ( a-b ) .",
                Bleu.tokenize13a("Hello, world! It's 3.14 or 1,000.5 -- 5-6 items (a-b)."));
        assertEquals("\" U . S . A . \" & co . cost $ 5 .", Bleu.tokenize13a("&quot;U.S.A.&quot; &amp; co. cost $5."));
        assertEquals("xy z", Bleu.tokenize13a("x-\ny <skipped>z"));
        assertEquals("a b c", Bleu.tokenize13a("a\u00a0b\tc"));  // Python's split() breaks at no-break spaces too
    }

    @Test
    void bleuRejectsMismatchedInput() {
        var e = assertThrows(IllegalArgumentException.class, () -> Bleu.corpus(HYPS, REFS.subList(0, 2)));
        assertTrue(e.getMessage().contains("3 hypotheses and 2 reference lists"), e.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> Bleu.sentence("a", List.of()));
        assertTrue(none.getMessage().contains("no references"), none.getMessage());
    }

    // rouge-score rouge/testdata/target.txt and prediction.txt, first two lines
    private static final String TARGET0 = "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n";
    private static final String PREDICTION0 = "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n";
    private static final String TARGET1 = "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n";
    private static final String PREDICTION1 = "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n";

    private static void assertRouge(Rouge.Score s, double precision, double recall, double f, double eps) {
        assertEquals(precision, s.precision(), eps, "precision");
        assertEquals(recall, s.recall(), eps, "recall");
        assertEquals(f, s.fmeasure(), eps, "fmeasure");
    }

    @Test
    void rougeMatchesRougeScoreUnitTests() {
        // rouge_scorer_test.py: score(target, prediction); ours takes the prediction first
        Rouge.Result r = Rouge.score("testing", "testing one two");
        assertRouge(r.rouge1(), 1, 1.0 / 3, 0.5, EPS);
        Rouge.Result r2 = Rouge.score("testing one", "testing one two");
        assertRouge(r2.rouge2(), 1, 0.5, 2.0 / 3, EPS);
        assertRouge(r2.rougeL(), 1, 2.0 / 3, 0.8, EPS);           // consecutive
        assertRouge(r2.rouge1(), 1, 2.0 / 3, 0.8, EPS);
        assertRouge(Rouge.score("testing two", "testing one two").rougeL(), 1, 2.0 / 3, 0.8, EPS); // non-consecutive
        Rouge.Result empty = Rouge.score("", "testing one two");
        for (Rouge.Score s : List.of(empty.rouge1(), empty.rouge2(), empty.rougeL())) assertRouge(s, 0, 0, 0, 0);
    }

    @Test
    void rougeMatchesRouge155NumbersFromRougeScoreTests() {
        // rouge_scorer_test.py testRouge{1,2,L}AgainstRouge155 (5 places), without stemming
        Rouge.Result a = Rouge.score(PREDICTION0, TARGET0);
        assertRouge(a.rouge1(), 0.68750, 0.40741, 0.51163, 5e-6);
        assertRouge(a.rouge2(), 0.53333, 0.30769, 0.39024, 5e-6);
        assertRouge(a.rougeL(), 0.68750, 0.40741, 0.51163, 5e-6);
        Rouge.Result b = Rouge.score(PREDICTION1, TARGET1);
        assertRouge(b.rouge1(), 0.65385, 0.40476, 0.50000, 5e-6);
        assertRouge(b.rouge2(), 0.48000, 0.29268, 0.36364, 5e-6);
        assertRouge(b.rougeL(), 0.65385, 0.40476, 0.50000, 5e-6);
        // ...WithStemming: the second pair gains unigram matches from stemming (-ing/-er/-tion)
        Rouge.Result sa = Rouge.score(PREDICTION0, TARGET0, true);
        assertRouge(sa.rouge1(), 0.68750, 0.40741, 0.51163, 5e-6);
        assertRouge(sa.rouge2(), 0.53333, 0.30769, 0.39024, 5e-6);
        Rouge.Result sb = Rouge.score(PREDICTION1, TARGET1, true);
        assertRouge(sb.rouge1(), 0.69231, 0.42857, 0.52941, 5e-6);
        assertRouge(sb.rouge2(), 0.48000, 0.29268, 0.36364, 5e-6);
    }

    @Test
    void rougeMatchesValuesWorkedByHand() {
        // Worked with P = overlap / prediction size, R = overlap / reference size, F = 2PR / (P + R); n-gram overlap is
        // clipped (each reference n-gram matches at most as often as it occurs), ROUGE-L's overlap is the LCS length.
        // Tokens: lowercase, split on anything outside [a-z0-9], so "The cat, the CAT!" is [the, cat, the, cat].
        String ref = "the cat sat on the mat";
        Rouge.Result a = Rouge.score("The cat, the CAT!", ref);
        assertRouge(a.rouge1(), 3.0 / 4, 3.0 / 6, 0.6, EPS);        // the ×2 (clipped to 2), cat ×1 (clipped from 2)
        assertRouge(a.rouge2(), 1.0 / 3, 1.0 / 5, 0.25, EPS);       // only "the cat", once
        assertRouge(a.rougeL(), 3.0 / 4, 3.0 / 6, 0.6, EPS);        // LCS the-cat-the
        Rouge.Result b = Rouge.score("mat on the cat", ref);
        assertRouge(b.rouge1(), 1, 4.0 / 6, 0.8, EPS);              // every word is in the reference
        assertRouge(b.rouge2(), 2.0 / 3, 2.0 / 5, 0.5, EPS);        // "on the", "the cat"
        assertRouge(b.rougeL(), 2.0 / 4, 2.0 / 6, 0.4, EPS);        // order matters: LCS 2 ("on the" or "the cat")
        for (Rouge.Score s : List.of(Rouge.score("a b", "c d").rougeL(), Rouge.score("a b", "c d").rouge1())) assertRouge(s, 0, 0, 0, 0);
        // the corpus mean averages each number over the pairs
        Rouge.Result mean = Rouge.mean(List.of("The cat, the CAT!", "mat on the cat"), List.of(List.of(ref), List.of(ref)), false);
        assertRouge(mean.rouge1(), (0.75 + 1) / 2, (0.5 + 4.0 / 6) / 2, 0.7, EPS);
        assertEquals(0.375, mean.rouge2().fmeasure(), EPS);
        assertEquals(0.5, mean.rougeL().fmeasure(), EPS);
    }

    @Test
    void rougeMultiReferenceTakesTheBestFmeasurePerType() {
        // worked example: against "the cat sat" ROUGE-1 F = 2/3·... ; against "a cat sat on the mat" ROUGE-2 is higher
        String prediction = "the cat sat on a mat";
        Rouge.Result multi = Rouge.scoreMulti(prediction, List.of("the cat", "a cat sat on the mat"), false);
        Rouge.Result first = Rouge.score(prediction, "the cat"), second = Rouge.score(prediction, "a cat sat on the mat");
        // the cat: P 2/6 R 1 F 0.5; second: unigrams all 6 match → F 1, bigrams cat-sat, sat-on → 2/5
        assertRouge(first.rouge1(), 2.0 / 6, 1, 0.5, EPS);
        assertRouge(second.rouge1(), 1, 1, 1, EPS);
        assertRouge(second.rouge2(), 0.4, 0.4, 0.4, EPS);
        assertRouge(first.rouge2(), 0.2, 1, 1.0 / 3, EPS);
        assertEquals(second.rouge1(), multi.rouge1());
        assertEquals(second.rouge2(), multi.rouge2());
        // LCS: "the cat" → 2/6, 1 (F 0.5); second → cat sat on mat = 4 → F 4/6
        assertEquals(second.rougeL(), multi.rougeL());
        assertEquals(4.0 / 6, multi.rougeL().fmeasure(), EPS);

        Rouge.Result mean = Rouge.mean(List.of(prediction, "testing"), List.of(List.of("the cat"), List.of("testing one two")), false);
        assertEquals((0.5 + 0.5) / 2, mean.rouge1().fmeasure(), EPS);
        assertEquals((1 + 1.0 / 3) / 2, mean.rouge1().recall(), EPS);
        var e = assertThrows(IllegalArgumentException.class, () -> Rouge.mean(List.of("a", "b"), List.of(List.of("a")), false));
        assertTrue(e.getMessage().contains("2 predictions and 1 reference lists"), e.getMessage());
    }

    @Test
    void rougeTokenizerLowercasesAndSplitsOnNonAlphanumerics() {
        assertEquals(List.of("it", "s", "3", "14", "caf", "r", "sum"), Rouge.tokenize("It's 3.14 — Café résumé", false));
        assertEquals(List.of("the", "run", "dog", "are", "fli"), Rouge.tokenize("The running dogs are flying", true));
    }

    @Test
    void porterStemmerMatchesNltk() {
        // NLTK 3.10 PorterStemmer() (NLTK_EXTENSIONS), from tools/golden/text_metrics.py. It also agreed on all
        // 16,861 distinct words of Moby-Dick and 23,501 random suffixed strings when checked once.
        Map<String, String> expected = Map.ofEntries(
                Map.entry("caresses", "caress"), Map.entry("ponies", "poni"), Map.entry("ties", "tie"), Map.entry("cried", "cri"),
                Map.entry("died", "die"), Map.entry("agreed", "agre"), Map.entry("plastered", "plaster"), Map.entry("motoring", "motor"),
                Map.entry("hopping", "hop"), Map.entry("falling", "fall"), Map.entry("filing", "file"), Map.entry("happy", "happi"),
                Map.entry("sky", "sky"), Map.entry("skies", "sky"), Map.entry("dying", "die"), Map.entry("relational", "relat"),
                Map.entry("conditional", "condit"), Map.entry("digitizer", "digit"), Map.entry("radically", "radic"),
                Map.entry("analogi", "analog"), Map.entry("hopefulli", "hope"), Map.entry("generalization", "gener"),
                Map.entry("electrical", "electr"), Map.entry("adjustment", "adjust"), Map.entry("adoption", "adopt"),
                Map.entry("controlling", "control"), Map.entry("rolling", "roll"), Map.entry("generously", "gener"),
                Map.entry("syzygy", "syzygi"), Map.entry("yyyy", "yyyi"), Map.entry("testing", "test"),
                Map.entry("generalizations", "gener"), Map.entry("oscillators", "oscil"), Map.entry("wrongness", "wrong"));
        expected.forEach((word, stem) -> assertEquals(stem, PorterStemmer.stem(word), word));
    }

    @Test
    void perplexityAccumulatesTokenWeightedCrossEntropy() {
        assertEquals(Math.E, Perplexity.of(1), EPS);
        Perplexity p = new Perplexity();
        assertTrue(Double.isNaN(p.result()));
        // batches of 10 tokens at 2 nats and 30 tokens at 1 nat: mean 1.25 nats, not the mean of the two perplexities
        p.add(2.0, 10).add(1.0, 30);
        assertEquals(1.25, p.meanCrossEntropy(), EPS);
        assertEquals(Math.exp(1.25), p.result(), EPS);
        p.add(Tensor.of(new float[]{0.5f, 1.5f}));
        assertEquals(42, p.tokens());
        assertEquals((20 + 30 + 2) / 42.0, p.meanCrossEntropy(), EPS);
        assertFalse(p.higherIsBetter());

        // as a Metric on logits: uniform logits over V classes give perplexity V whatever the labels
        p.reset();
        p.update(Tensor.zeros(2, 3, 5), new Batch(Tensor.zeros(6, 1), IntTensor.of(new int[]{0, 1, 2, 3, 4, 0}), null));
        assertEquals(5, p.result(), 1e-9);
        // logits [ln 3, 0] against label 0: p = 3/4 → CE = ln(4/3); batch-size weighted with the 6 tokens above
        p.update(Tensor.of(new float[][]{{(float) Math.log(3), 0f}}), new Batch(Tensor.zeros(1, 1), IntTensor.of(new int[]{0}), null));
        assertEquals(Math.exp((6 * Math.log(5) + Math.log((double) 4 / 3)) / 7), p.result(), 1e-6);
        var e = assertThrows(IndexOutOfBoundsException.class,
                () -> p.update(Tensor.zeros(1, 2), new Batch(Tensor.zeros(1, 1), IntTensor.of(new int[]{2}), null)));
        assertTrue(e.getMessage().contains("label 2 at row 0"), e.getMessage());
        var rows = assertThrows(IllegalArgumentException.class,
                () -> p.update(Tensor.zeros(3, 2), new Batch(Tensor.zeros(1, 1), IntTensor.of(new int[]{0}), null)));
        assertTrue(rows.getMessage().contains("gives 3 predictions but there are 1 labels"), rows.getMessage());
    }
}
