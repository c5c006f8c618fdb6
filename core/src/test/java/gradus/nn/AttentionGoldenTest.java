package gradus.nn;

import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static gradus.nn.AttentionGolden.*;
import static gradus.nn.NnGoldenTest.seq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * MultiHeadAttention and TransformerEncoderBlock against torch.nn.MultiheadAttention and
 * nn.TransformerEncoderLayer with the same weights (tools/golden/attention_golden.py). PyTorch's
 * in_proj_weight/in_proj_bias are q_proj, k_proj, v_proj stacked.
 */
class AttentionGoldenTest {
    private static final float TOL = 2e-5f;

    private static void close(float[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.toArray(), TOL);
    }

    private static void loadPyTorchWeights(MultiHeadAttention m, int e) {
        Tensor inW = seq(0.37, 0.2, 0.4, 3 * e, e), inB = seq(0.53, 0.1, 0.1, 3 * e);
        List<Linear> qkv = List.of(m.qProj(), m.kProj(), m.vProj());
        for (int i = 0; i < 3; i++) {
            qkv.get(i).weight().copyFrom(inW.narrow(0, i * e, e));
            qkv.get(i).bias().copyFrom(inB.narrow(0, i * e, e));
        }
        m.outProj().weight().copyFrom(seq(0.29, 0.7, 0.4, e, e));
        m.outProj().bias().copyFrom(seq(0.61, 0.4, 0.1, e));
    }

    private static Tensor stacked(MultiHeadAttention m, boolean weight) {
        List<Linear> qkv = List.of(m.qProj(), m.kProj(), m.vProj());
        return Tensor.concat(qkv.stream().map(l -> (weight ? l.weight() : l.bias()).grad()).toList(), 0);
    }

    private static Tensor probe(Tensor y) {
        return y.mul(seq(0.91, 0.3, 1.0, y.shape())).sum();
    }

    @Test
    void selfAttentionCausalWithPadding() {
        MultiHeadAttention mha = new MultiHeadAttention(6, 2);
        loadPyTorchWeights(mha, 6);
        Tensor x = seq(0.41, 0.3, 1.0, 2, 4, 6).requiresGrad(true);
        var r = mha.attend(x, x, x, true, KeyPadding.lengths(4, 3), null, true);
        close(MHA_OUT, r.output());
        close(MHA_WEIGHTS, r.weights());
        probe(r.output()).backward();
        close(MHA_GX, x.grad());
        close(MHA_G_IN_PROJ_W, stacked(mha, true));
        close(MHA_G_IN_PROJ_B, stacked(mha, false));
        close(MHA_G_OUT_W, mha.outProj().weight().grad());
        close(MHA_G_OUT_B, mha.outProj().bias().grad());
    }

    @Test
    void crossAttention() {
        MultiHeadAttention mha = new MultiHeadAttention(6, 2);
        loadPyTorchWeights(mha, 6);
        Tensor q = seq(0.23, 0.9, 1.0, 2, 3, 6).requiresGrad(true), mem = seq(0.67, 0.1, 1.0, 2, 5, 6).requiresGrad(true);
        Tensor y = mha.forward(q, mem, null);
        close(CROSS_OUT, y);
        probe(y).backward();
        close(CROSS_GQ, q.grad());
        close(CROSS_GMEM, mem.grad());
    }

    @Test
    void preLnEncoderBlockWithPadding() {
        TransformerEncoderBlock enc = new TransformerEncoderBlock(8, 2, 16, 0f, true, 1e-5f, false);
        loadPyTorchWeights(enc.selfAttn(), 8);
        enc.linear1().weight().copyFrom(seq(0.31, 0.5, 0.3, 16, 8));
        enc.linear1().bias().copyFrom(seq(0.17, 0.2, 0.1, 16));
        enc.linear2().weight().copyFrom(seq(0.43, 0.6, 0.3, 8, 16));
        enc.linear2().bias().copyFrom(seq(0.71, 0.3, 0.1, 8));
        enc.norm1().weight().copyFrom(seq(0.13, 0.1, 0.2, 8).add(1f));
        enc.norm1().bias().copyFrom(seq(0.19, 0.4, 0.1, 8));
        enc.norm2().weight().copyFrom(seq(0.23, 0.2, 0.2, 8).add(1f));
        enc.norm2().bias().copyFrom(seq(0.29, 0.8, 0.1, 8));
        Tensor x = seq(0.47, 0.2, 1.0, 2, 5, 8).requiresGrad(true);
        Tensor y = enc.forward(x, KeyPadding.lengths(5, 3));
        close(ENC_OUT, y);
        probe(y).backward();
        close(ENC_GX, x.grad());
        close(ENC_G_SELF_ATTN_IN_PROJ_WEIGHT, stacked(enc.selfAttn(), true));
        close(ENC_G_SELF_ATTN_IN_PROJ_BIAS, stacked(enc.selfAttn(), false));
        close(ENC_G_SELF_ATTN_OUT_PROJ_WEIGHT, enc.selfAttn().outProj().weight().grad());
        close(ENC_G_SELF_ATTN_OUT_PROJ_BIAS, enc.selfAttn().outProj().bias().grad());
        close(ENC_G_LINEAR1_WEIGHT, enc.linear1().weight().grad());
        close(ENC_G_LINEAR1_BIAS, enc.linear1().bias().grad());
        close(ENC_G_LINEAR2_WEIGHT, enc.linear2().weight().grad());
        close(ENC_G_LINEAR2_BIAS, enc.linear2().bias().grad());
        close(ENC_G_NORM1_WEIGHT, enc.norm1().weight().grad());
        close(ENC_G_NORM1_BIAS, enc.norm1().bias().grad());
        close(ENC_G_NORM2_WEIGHT, enc.norm2().weight().grad());
        close(ENC_G_NORM2_BIAS, enc.norm2().bias().grad());
    }
}
