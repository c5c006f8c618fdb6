package gradus.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * GRU steps over one direction. The recurrent products go to a scratch buffer, not onto the input
 * projections, because r scales only the n part of them; that part (W_hn·h + b_hn) is saved per row.
 */
final class GruSweep extends Sweep {
    private final float[] hn;
    /** Backward: gradients of the recurrent pre-activations, which differ from the input side's in n. */
    private float[] hiddenGrads;

    GruSweep(Layout layout, boolean reverse, int hidden, float[] x, int xOff, int inSize, float[] wih, int wihOff,
             float[] whh, int whhOff, float[] bih, float[] bhh, float[] packed, int outCol, int outStride, int hOff) {
        super(layout, reverse, hidden, 3, x, xOff, inSize, wih, wihOff, whh, whhOff, bih, bhh, packed, outCol, outStride, hOff);
        this.hn = new float[layout.rows() * hidden];
    }

    @Override
    void forward(int b0, int b1) {
        int n = layout.maxLength(b0, b1);
        float[] recurrent = new float[(b1 - b0) * width];
        for (int k = 0; k < n; k++) {
            int t = step(k, n);
            recurrentProduct(b0, b1, recurrent, 0, width, false);
            for (int b = b0; b < b1; b++) if (t < layout.length(b)) cell(layout.row(b, t), b, recurrent, (b - b0) * width);
        }
    }

    private void cell(int row, int b, float[] rec, int q) {
        int H = hidden, g = row * width, s = row * H, h = hOff + b * H, o = row * outStride + outCol;
        float[] p = packed;
        System.arraycopy(p, h, hPrev, s, H);
        int j = 0;
        for (int up = SPECIES.loopBound(H); j < up; j += L) {
            FloatVector r = sigmoid(load(gates, g + j).add(load(bih, j)).add(load(rec, q + j)).add(load(bhh, j)));
            FloatVector z = sigmoid(load(gates, g + H + j).add(load(bih, H + j)).add(load(rec, q + H + j)).add(load(bhh, H + j)));
            FloatVector hh = load(rec, q + 2 * H + j).add(load(bhh, 2 * H + j));
            FloatVector nn = tanh(r.fma(hh, load(gates, g + 2 * H + j).add(load(bih, 2 * H + j))));
            FloatVector hNew = z.fma(load(p, h + j).sub(nn), nn);
            r.intoArray(gates, g + j);
            z.intoArray(gates, g + H + j);
            nn.intoArray(gates, g + 2 * H + j);
            hh.intoArray(hn, s + j);
            hNew.intoArray(p, h + j);
            hNew.intoArray(p, o + j);
        }
        for (; j < H; j++) {
            float r = sigmoid(gates[g + j] + bih[j] + rec[q + j] + bhh[j]);
            float z = sigmoid(gates[g + H + j] + bih[H + j] + rec[q + H + j] + bhh[H + j]);
            float hh = rec[q + 2 * H + j] + bhh[2 * H + j];
            float nn = tanh(gates[g + 2 * H + j] + bih[2 * H + j] + r * hh);
            gates[g + j] = r;
            gates[g + H + j] = z;
            gates[g + 2 * H + j] = nn;
            hn[s + j] = hh;
            p[h + j] = p[o + j] = nn + z * (p[h + j] - nn);
        }
    }

    @Override
    void prepareBackward() {
        hiddenGrads = new float[gates.length];
    }

    @Override
    void backward(int b0, int b1, float[] gPacked, float[] dh, float[] dc, int stateOff) {
        clearPadding(b0, b1, gates, hiddenGrads);
        int n = layout.maxLength(b0, b1);
        for (int k = n - 1; k >= 0; k--) {
            int t = step(k, n);
            for (int b = b0; b < b1; b++) if (t < layout.length(b)) cellBackward(layout.row(b, t), gPacked, dh, stateOff + b * hidden);
            backToPreviousState(hiddenGrads, t, b0, b1, dh, stateOff);
        }
    }

    /** Turns the row's gates into pre-activation gradients (input side in gates, recurrent side in hiddenGrads). */
    private void cellBackward(int row, float[] gOut, float[] dh, int st) {
        int H = hidden, g = row * width, s = row * H, o = row * outStride + outCol;
        float[] gh = hiddenGrads;
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        int j = 0;
        for (int up = SPECIES.loopBound(H); j < up; j += L) {
            FloatVector r = load(gates, g + j), z = load(gates, g + H + j), nn = load(gates, g + 2 * H + j);
            FloatVector dht = load(dh, st + j).add(load(gOut, o + j));
            FloatVector dn = dht.mul(one.sub(z)).mul(one.sub(nn.mul(nn)));
            FloatVector dr = dn.mul(load(hn, s + j)).mul(r).mul(one.sub(r));
            FloatVector dz = dht.mul(load(hPrev, s + j).sub(nn)).mul(z).mul(one.sub(z));
            dr.intoArray(gates, g + j);
            dr.intoArray(gh, g + j);
            dz.intoArray(gates, g + H + j);
            dz.intoArray(gh, g + H + j);
            dn.intoArray(gates, g + 2 * H + j);
            dn.mul(r).intoArray(gh, g + 2 * H + j);
            dht.mul(z).intoArray(dh, st + j);
        }
        for (; j < H; j++) {
            float r = gates[g + j], z = gates[g + H + j], nn = gates[g + 2 * H + j], dht = dh[st + j] + gOut[o + j];
            float dn = dht * (1 - z) * (1 - nn * nn);
            float dr = dn * hn[s + j] * r * (1 - r), dz = dht * (hPrev[s + j] - nn) * z * (1 - z);
            gates[g + j] = gh[g + j] = dr;
            gates[g + H + j] = gh[g + H + j] = dz;
            gates[g + 2 * H + j] = dn;
            gh[g + 2 * H + j] = dn * r;
            dh[st + j] = dht * z;
        }
    }

    @Override
    float[] hiddenGateGrads() {
        return hiddenGrads;
    }
}
