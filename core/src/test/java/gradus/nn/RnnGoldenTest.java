package gradus.nn;

import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static gradus.nn.NnGoldenTest.seq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** LSTM and GRU outputs, final states and gradients against PyTorch (tools/golden/rnn_golden.py), packed sequences included. */
class RnnGoldenTest {
    private static final float TOL = 1e-5f;
    private static final int B = 3, T = 4, I = 3, H = 9;

    /** The expected numbers of one case; cell-state entries are null for GRU, initial-state ones without h0. */
    private record Expected(float[] out, float[] h, float[] c, float[] gx, float[] gh0, float[] gc0, float[][] gw) {}

    private static void check(Recurrent m, int[] lengths, boolean withState, Expected e) {
        List<Tensor> params = m.parameters();
        for (int k = 0; k < params.size(); k++) params.get(k).copyFrom(seq(0.37 + 0.11 * k, 0.2 * k, 0.5, params.get(k).shape()));
        int dirs = m.bidirectional() ? 2 : 1;
        Tensor x = seq(0.47, 0.1, 1.0, m.batchFirst() ? new int[]{B, T, I} : new int[]{T, B, I}).requiresGrad(true);
        Tensor h0 = withState ? seq(0.61, 0.4, 0.5, m.numLayers() * dirs, B, H).requiresGrad(true) : null;
        Tensor c0 = withState && m instanceof LSTM ? seq(0.83, 0.9, 0.5, m.numLayers() * dirs, B, H).requiresGrad(true) : null;
        RecurrentOutput r = m.run(x, lengths, h0, c0);
        assertArrayEquals(e.out(), r.output().toArray(), TOL, "output");
        assertArrayEquals(e.h(), r.hidden().toArray(), TOL, "final h");
        Tensor loss = r.output().mul(seq(0.91, 0.3, 1.0, r.output().shape())).sum()
                .add(r.hidden().mul(seq(0.53, 0.7, 1.0, r.hidden().shape())).sum());
        if (e.c() != null) {
            assertArrayEquals(e.c(), r.cell().toArray(), TOL, "final c");
            loss = loss.add(r.cell().mul(seq(0.29, 1.1, 1.0, r.cell().shape())).sum());
        }
        loss.backward();
        assertArrayEquals(e.gx(), x.grad().toArray(), TOL, "input gradient");
        if (h0 != null) assertArrayEquals(e.gh0(), h0.grad().toArray(), TOL, "h0 gradient");
        if (c0 != null) assertArrayEquals(e.gc0(), c0.grad().toArray(), TOL, "c0 gradient");
        assertEquals(e.gw().length, params.size());
        for (int k = 0; k < params.size(); k++) assertArrayEquals(e.gw()[k], params.get(k).grad().toArray(), TOL, "gradient of parameter " + k);
    }

    @Test
    void lstmWithInitialState() {
        check(new LSTM(I, H, 1, false, true, 0f, true), null, true,
                new Expected(LstmGolden.A_OUT, LstmGolden.A_H, LstmGolden.A_C, LstmGolden.A_GX, LstmGolden.A_GH0, LstmGolden.A_GC0, LstmGolden.A_GW));
    }

    @Test
    void lstmTwoLayersBidirectionalPacked() {
        check(new LSTM(I, H, 2, true, true, 0f, true), new int[]{4, 2, 3}, false,
                new Expected(LstmGolden.B_OUT, LstmGolden.B_H, LstmGolden.B_C, LstmGolden.B_GX, null, null, LstmGolden.B_GW));
    }

    @Test
    void lstmTimeMajorBidirectionalPackedWithInitialState() {
        check(new LSTM(I, H, 1, true, false, 0f, true), new int[]{3, 4, 1}, true,
                new Expected(LstmGolden.C_OUT, LstmGolden.C_H, LstmGolden.C_C, LstmGolden.C_GX, LstmGolden.C_GH0, LstmGolden.C_GC0, LstmGolden.C_GW));
    }

    @Test
    void gruWithInitialState() {
        check(new GRU(I, H, 1, false, true, 0f, true), null, true,
                new Expected(GruGolden.A_OUT, GruGolden.A_H, null, GruGolden.A_GX, GruGolden.A_GH0, null, GruGolden.A_GW));
    }

    @Test
    void gruTwoLayersBidirectionalPacked() {
        check(new GRU(I, H, 2, true, true, 0f, true), new int[]{4, 2, 3}, false,
                new Expected(GruGolden.B_OUT, GruGolden.B_H, null, GruGolden.B_GX, null, null, GruGolden.B_GW));
    }

    @Test
    void gruTimeMajorBidirectionalPackedWithInitialState() {
        check(new GRU(I, H, 1, true, false, 0f, true), new int[]{3, 4, 1}, true,
                new Expected(GruGolden.C_OUT, GruGolden.C_H, null, GruGolden.C_GX, GruGolden.C_GH0, null, GruGolden.C_GW));
    }
}
