package gradus.kernels;

import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

/** LSTM steps over one direction; saves each step's starting c and tanh(c') besides the gates. */
final class LstmSweep extends Sweep {
    private final float[] bias, cPrev, tanhC;
    private final int cOff;

    LstmSweep(Layout layout, boolean reverse, int hidden, float[] x, int xOff, int inSize, float[] wih, int wihOff,
              float[] whh, int whhOff, float[] bih, float[] bhh, float[] packed, int outCol, int outStride, int hOff, int cOff) {
        super(layout, reverse, hidden, 4, x, xOff, inSize, wih, wihOff, whh, whhOff, bih, bhh, packed, outCol, outStride, hOff);
        this.cOff = cOff;
        this.bias = new float[width];
        VectorMath.add(bih, 0, bhh, 0, bias, 0, width);
        this.cPrev = new float[layout.rows() * hidden];
        this.tanhC = new float[layout.rows() * hidden];
    }

    @Override
    void forward(int b0, int b1) {
        int n = layout.maxLength(b0, b1);
        for (int k = 0; k < n; k++) {
            int t = step(k, n);
            // The recurrent product lands on the step's input projections in place.
            recurrentProduct(b0, b1, gates, layout.row(b0, t) * width, layout.rowStride() * width, true);
            for (int b = b0; b < b1; b++) if (t < layout.length(b)) cell(layout.row(b, t), b);
        }
    }

    private void cell(int row, int b) {
        int H = hidden, g = row * width, s = row * H, h = hOff + b * H, c = cOff + b * H, o = row * outStride + outCol;
        float[] p = packed;
        System.arraycopy(p, h, hPrev, s, H);
        System.arraycopy(p, c, cPrev, s, H);
        int j = 0;
        for (int up = SPECIES.loopBound(H); j < up; j += L) {
            FloatVector i = sigmoid(load(gates, g + j).add(load(bias, j)));
            FloatVector f = sigmoid(load(gates, g + H + j).add(load(bias, H + j)));
            FloatVector gg = tanh(load(gates, g + 2 * H + j).add(load(bias, 2 * H + j)));
            FloatVector og = sigmoid(load(gates, g + 3 * H + j).add(load(bias, 3 * H + j)));
            FloatVector cn = f.fma(load(p, c + j), i.mul(gg)), tc = tanh(cn), hn = og.mul(tc);
            i.intoArray(gates, g + j);
            f.intoArray(gates, g + H + j);
            gg.intoArray(gates, g + 2 * H + j);
            og.intoArray(gates, g + 3 * H + j);
            cn.intoArray(p, c + j);
            tc.intoArray(tanhC, s + j);
            hn.intoArray(p, h + j);
            hn.intoArray(p, o + j);
        }
        for (; j < H; j++) {
            float i = sigmoid(gates[g + j] + bias[j]), f = sigmoid(gates[g + H + j] + bias[H + j]);
            float gg = tanh(gates[g + 2 * H + j] + bias[2 * H + j]), og = sigmoid(gates[g + 3 * H + j] + bias[3 * H + j]);
            float cn = f * p[c + j] + i * gg, tc = tanh(cn);
            gates[g + j] = i;
            gates[g + H + j] = f;
            gates[g + 2 * H + j] = gg;
            gates[g + 3 * H + j] = og;
            p[c + j] = cn;
            tanhC[s + j] = tc;
            p[h + j] = p[o + j] = og * tc;
        }
    }

    @Override
    void backward(int b0, int b1, float[] gPacked, float[] dh, float[] dc, int stateOff) {
        clearPadding(b0, b1, gates);
        int n = layout.maxLength(b0, b1);
        for (int k = n - 1; k >= 0; k--) {
            int t = step(k, n);
            for (int b = b0; b < b1; b++) if (t < layout.length(b)) cellBackward(layout.row(b, t), gPacked, dh, dc, stateOff + b * hidden);
            backToPreviousState(gates, t, b0, b1, dh, stateOff);
        }
    }

    /** Turns the row's gates into pre-activation gradients; dh leaves zeroed for the recurrent GEMM to fill. */
    private void cellBackward(int row, float[] gOut, float[] dh, float[] dc, int st) {
        int H = hidden, g = row * width, s = row * H, o = row * outStride + outCol;
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        int j = 0;
        for (int up = SPECIES.loopBound(H); j < up; j += L) {
            FloatVector i = load(gates, g + j), f = load(gates, g + H + j), gg = load(gates, g + 2 * H + j), og = load(gates, g + 3 * H + j);
            FloatVector tc = load(tanhC, s + j), dht = load(dh, st + j).add(load(gOut, o + j));
            FloatVector dct = dht.mul(og).mul(one.sub(tc.mul(tc))).add(load(dc, st + j));
            dct.mul(gg).mul(i).mul(one.sub(i)).intoArray(gates, g + j);
            dct.mul(load(cPrev, s + j)).mul(f).mul(one.sub(f)).intoArray(gates, g + H + j);
            dct.mul(i).mul(one.sub(gg.mul(gg))).intoArray(gates, g + 2 * H + j);
            dht.mul(tc).mul(og).mul(one.sub(og)).intoArray(gates, g + 3 * H + j);
            dct.mul(f).intoArray(dc, st + j);
        }
        for (; j < H; j++) {
            float i = gates[g + j], f = gates[g + H + j], gg = gates[g + 2 * H + j], og = gates[g + 3 * H + j];
            float tc = tanhC[s + j], dht = dh[st + j] + gOut[o + j];
            float dct = dht * og * (1 - tc * tc) + dc[st + j];
            gates[g + j] = dct * gg * i * (1 - i);
            gates[g + H + j] = dct * cPrev[s + j] * f * (1 - f);
            gates[g + 2 * H + j] = dct * i * (1 - gg * gg);
            gates[g + 3 * H + j] = dht * tc * og * (1 - og);
            dc[st + j] = dct * f;
        }
        Arrays.fill(dh, st, st + H, 0f);
    }

    @Override
    float[] hiddenGateGrads() {
        return gates;
    }
}
