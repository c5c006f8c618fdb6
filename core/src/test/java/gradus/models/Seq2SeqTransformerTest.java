package gradus.models;

import gradus.GradCheck;
import gradus.autograd.GradMode;
import gradus.optim.AdamW;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The encoder–decoder learns a synthetic task (reverse the source), and its decodings keep their contracts:
 * beam 1 is greedy, wider beams find outputs at least as likely, special ids never come out, outputs stop at
 * the end token or the length limit, and the loss differentiates.
 */
class Seq2SeqTransformerTest {
    // ids: 0 pad (also the start token), 1 unknown, 2..7 content, 8 end
    private static final int PAD = 0, UNK = 1, EOS = 8, VOCAB = 9, FIRST = 2, SOURCE = 5, TARGET = 6;
    private static final Seq2SeqConfig CONFIG = new Seq2SeqConfig(VOCAB, SOURCE, TARGET, 32, 2, 1, 1, 64, 0f, PAD, PAD, EOS);
    private static Seq2SeqTransformer reverser, halfTrained;

    /** A source of 2..5 content tokens. */
    private static int[] randomSource(Random r) {
        int[] s = new int[2 + r.nextInt(SOURCE - 1)];
        for (int i = 0; i < s.length; i++) s[i] = FIRST + r.nextInt(EOS - FIRST);
        return s;
    }

    private static int[] reversed(int[] s) {
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) out[i] = s[s.length - 1 - i];
        return out;
    }

    /** Row i: the padded source, BOS + target (decoder input) and target + EOS (labels). */
    private static IntTensor[] batch(int[][] sources, int[][] targets) {
        int n = sources.length;
        int[] src = new int[n * SOURCE], dec = new int[n * TARGET], lab = new int[n * TARGET];
        for (int i = 0; i < n; i++) {
            System.arraycopy(sources[i], 0, src, i * SOURCE, sources[i].length);
            dec[i * TARGET] = PAD;
            System.arraycopy(targets[i], 0, dec, i * TARGET + 1, targets[i].length);
            System.arraycopy(targets[i], 0, lab, i * TARGET, targets[i].length);
            lab[i * TARGET + targets[i].length] = EOS;
        }
        return new IntTensor[]{IntTensor.of(src, n, SOURCE), IntTensor.of(dec, n, TARGET), IntTensor.of(lab, n, TARGET)};
    }

    @BeforeAll
    static void trainReverser() {
        Rng.manualSeed(7);
        reverser = new Seq2SeqTransformer(CONFIG);
        AdamW opt = new AdamW(reverser.parameters(), 3e-3, 0.9, 0.98, 1e-8, 0.0, false);
        Random r = new Random(11);
        for (int step = 0; step < 400; step++) {
            int[][] s = new int[32][], t = new int[32][];
            for (int i = 0; i < s.length; i++) {
                s[i] = randomSource(r);
                t[i] = reversed(s[i]);
            }
            IntTensor[] b = batch(s, t);
            opt.zeroGrad();
            Seq2SeqTransformer.loss(reverser.forward(b[0], b[1]), b[2], PAD).backward();
            opt.step();
            if (step == 30) {
                halfTrained = new Seq2SeqTransformer(CONFIG);
                halfTrained.loadStateDict(reverser.stateDict());
                halfTrained.eval();
            }
        }
        reverser.eval();
    }

    @Test
    void learnsToReverseWithGreedyDecoding() {
        Random r = new Random(99);
        int exact = 0, n = 200;
        for (int i = 0; i < n; i++) {
            int[] s = randomSource(r);
            if (Arrays.equals(reversed(s), Seq2SeqDecoding.generate(reverser, s, Seq2SeqDecoding.Settings.greedy()))) exact++;
        }
        assertTrue(exact >= 0.95 * n, "exact-sequence accuracy " + exact + "/" + n);
    }

    /**
     * log P(tokens, then EOS unless the output reached the length limit | source) from one teacher-forced forward, pad and
     * start ids excluded as decoding excludes them.
     */
    private static double teacherForcedLogProb(Seq2SeqTransformer model, int[] source, int[] tokens) {
        int[] dec = new int[tokens.length + 1];
        System.arraycopy(tokens, 0, dec, 1, tokens.length);
        try (var g = GradMode.noGrad()) {
            float[] logits = model.forward(IntTensor.of(source, 1, source.length), IntTensor.of(dec, 1, dec.length)).contiguousData();
            double total = 0;
            int terms = tokens.length < TARGET - 1 ? tokens.length + 1 : tokens.length;
            for (int i = 0; i < terms; i++) {
                float[] row = Arrays.copyOfRange(logits, i * VOCAB, (i + 1) * VOCAB);
                row[PAD] = Float.NEGATIVE_INFINITY;
                total += Seq2SeqDecoding.logSoftmax(row)[i < tokens.length ? tokens[i] : EOS];
            }
            return total;
        }
    }

    @Test
    void beamOneIsGreedyAndWiderBeamsAreAtLeastAsLikely() {
        Random r = new Random(5);
        int differs = 0;
        for (Seq2SeqTransformer model : new Seq2SeqTransformer[]{reverser, halfTrained}) {
            for (int i = 0; i < 20; i++) {
                int[] s = randomSource(r);
                int[] greedy = Seq2SeqDecoding.generate(model, s, Seq2SeqDecoding.Settings.greedy());
                assertArrayEquals(greedy, Seq2SeqDecoding.generate(model, s, Seq2SeqDecoding.Settings.beam(1, 1f)), "beam 1 vs greedy");
                var step = Seq2SeqDecoding.step(model, s);
                double greedyLp = teacherForcedLogProb(model, s, greedy);
                // the incremental step and the teacher-forced forward agree (the decoder is causal)
                Integer eos = greedy.length < TARGET - 1 ? EOS : null;
                if (eos != null) assertEquals(greedyLp, Seq2SeqDecoding.logProb(step, greedy, eos), 1e-4);
                for (int k : new int[]{2, 4}) {
                    // length penalty 0: the beam ranks by log-probability alone
                    var h = Seq2SeqDecoding.beam(step, TARGET - 1, EOS, k, 0f);
                    double beamLp = teacherForcedLogProb(model, s, h.tokens());
                    assertEquals(h.logProb(), beamLp, 1e-4, "the beam's own log-probability");
                    assertTrue(beamLp >= greedyLp - 1e-6, "beam " + k + " " + beamLp + " < greedy " + greedyLp + " for " + Arrays.toString(s));
                    if (!Arrays.equals(h.tokens(), greedy)) differs++;
                }
            }
        }
        assertTrue(differs > 0, "beam search never chose other than greedy: the comparison tested nothing");
    }

    /** A model whose decoder output is fixed to {@code direction}: logits are direction · embedding, the same at every step. */
    private static Seq2SeqTransformer pointedAt(int... ids) {
        Rng.manualSeed(21);
        Seq2SeqTransformer m = new Seq2SeqTransformer(CONFIG);
        Map<String, Tensor> state = new HashMap<>(m.stateDict());
        float[] emb = state.get("tok_emb.weight").toArray(), bias = new float[CONFIG.width()];
        for (int id : ids) for (int j = 0; j < bias.length; j++) bias[j] += 100 * emb[id * CONFIG.width() + j];
        state.put("dec_norm.weight", Tensor.zeros(CONFIG.width()));
        state.put("dec_norm.bias", Tensor.of(bias, CONFIG.width()));
        m.loadStateDict(state);
        m.eval();
        return m;
    }

    @Test
    void decodingNeverEmitsPadStartOrUnknownAndStopsAtEndOrLength() {
        int[] source = {2, 3, 4};
        Seq2SeqTransformer special = pointedAt(PAD, UNK);
        float[] raw = Seq2SeqDecoding.step(special, source).logits(new int[][]{{}})[0];
        float[] unmasked = rawLogits(special, source);
        int top = Sampler.argmax(unmasked);
        assertTrue(top == PAD || top == UNK, "precondition: the model prefers a special id, got " + top);
        assertEquals(Float.NEGATIVE_INFINITY, raw[PAD]);
        var sampling = GenerationConfig.builder().maxNewTokens(TARGET).temperature(1f).seed(4).build();
        for (var settings : new Seq2SeqDecoding.Settings[]{Seq2SeqDecoding.Settings.greedy(), Seq2SeqDecoding.Settings.beam(3, 1f),
                Seq2SeqDecoding.Settings.sampled(sampling)}) {
            int[] out = Seq2SeqDecoding.generate(special, source, settings, UNK);
            assertTrue(out.length <= TARGET - 1, "at most target_length - 1 tokens: " + Arrays.toString(out));
            for (int id : out) assertTrue(id != PAD && id != UNK && id != EOS, settings + " emitted " + id + " in " + Arrays.toString(out));
        }
        // when nothing ends the output, greedy runs to the length limit
        assertEquals(TARGET - 1, Seq2SeqDecoding.generate(special, source, Seq2SeqDecoding.Settings.greedy(), UNK).length);
        // a model that prefers the end token stops at once
        Seq2SeqTransformer ender = pointedAt(EOS);
        assertEquals(EOS, Sampler.argmax(rawLogits(ender, source)));
        assertArrayEquals(new int[0], Seq2SeqDecoding.generate(ender, source, Seq2SeqDecoding.Settings.greedy()));
        assertArrayEquals(new int[0], Seq2SeqDecoding.generate(ender, source, Seq2SeqDecoding.Settings.beam(3, 1f)));
        // the trained reverser stops at EOS before the limit
        assertArrayEquals(new int[]{4, 3, 2}, Seq2SeqDecoding.generate(reverser, source, Seq2SeqDecoding.Settings.greedy()));
        var bad = assertThrows(IllegalArgumentException.class, () -> Seq2SeqDecoding.generate(special, source, Seq2SeqDecoding.Settings.greedy(), 40));
        assertTrue(bad.getMessage().contains("40"), bad.getMessage());
    }

    private static float[] rawLogits(Seq2SeqTransformer model, int[] source) {
        try (var g = GradMode.noGrad()) {
            return model.forward(IntTensor.of(source, 1, source.length), IntTensor.of(new int[]{PAD}, 1, 1)).contiguousData();
        }
    }

    @Test
    void lossDifferentiatesInDoublePrecisionThroughTheDecoder() {
        Rng.manualSeed(8);
        Seq2SeqConfig tiny = new Seq2SeqConfig(VOCAB, 3, 3, 8, 2, 1, 1, 16, 0f, PAD, PAD, EOS);
        Seq2SeqTransformer m = new Seq2SeqTransformer(tiny);
        IntTensor src = IntTensor.of(new int[]{2, 3, 0, 4, 5, 6}, 2, 3);   // the first row padded
        IntTensor dec = IntTensor.of(new int[]{0, 7, 2, 0, 3, 3}, 2, 3);
        IntTensor labels = IntTensor.of(new int[]{7, 2, EOS, 3, EOS, PAD}, 2, 3); // the last label is padding
        Tensor memory;
        try (var g = GradMode.noGrad()) {
            memory = m.encode(src);
        }
        // the loss wrt the encoder output, in float64: cross-attention, causal self-attention, the tied head, masked cross-entropy
        GradCheck.check(t -> Seq2SeqTransformer.loss(m.decode(dec, t[0], src), labels, PAD), memory);
        // and wrt every parameter, encoder included, in float32
        GradCheck.checkFloat32(t -> Seq2SeqTransformer.loss(m.forward(src, dec), labels, PAD), m.parameters().toArray(new Tensor[0]));
    }
}
