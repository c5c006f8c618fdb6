package gradus.autograd;

import gradus.autograd.ElementwiseOps.UnaryFn;
import gradus.autograd.LinalgOps.Activation;
import gradus.kernels.Sweep;
import gradus.tensor.DType;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import static gradus.autograd.OpCase.of;

/** The list of contract cases, at least one per op class; adding an op = adding its case here. */
final class OpCases {
    private OpCases() {}

    static List<OpCase> all() {
        List<OpCase> c = new ArrayList<>();
        // elementwise
        c.add(of(ElementwiseOps.Binary.class, "add broadcast", t -> t[0].add(t[1]), new int[]{3, 4}, new int[]{4})
                .bad(new Tensor[]{Tensor.zeros(3, 4), Tensor.zeros(5)}, "[3, 4]", "[5]"));
        c.add(of(ElementwiseOps.Binary.class, "sub broadcast", t -> t[0].sub(t[1]), new int[]{2, 1, 3}, new int[]{4, 1}));
        c.add(of(ElementwiseOps.Binary.class, "mul broadcast", t -> t[0].mul(t[1]), new int[]{3, 4}, new int[]{3, 1}));
        c.add(of(ElementwiseOps.Binary.class, "div", t -> t[0].div(t[1]), new int[]{3, 4}, new int[]{3, 4}).uniform(0.5, 2));
        c.add(of(ElementwiseOps.Binary.class, "maximum", t -> t[0].maximum(t[1]), new int[]{3, 4}, new int[]{4}));
        c.add(of(ElementwiseOps.Binary.class, "minimum", t -> t[0].minimum(t[1]), new int[]{3, 4}, new int[]{3, 4}));
        c.add(of(ElementwiseOps.Binary.class, "pow tensor", t -> t[0].pow(t[1]), new int[]{3, 4}, new int[]{4}).uniform(0.5, 2));
        for (UnaryFn fn : UnaryFn.values()) {
            double lo = switch (fn) {
                case LOG, SQRT -> 0.2;
                default -> -3;
            };
            c.add(of(ElementwiseOps.Unary.class, fn.name().toLowerCase(), t -> unary(fn, t[0]), new int[]{3, 5}).uniform(lo, 3));
        }
        c.add(of(ElementwiseOps.Affine.class, "mul and add scalar", t -> t[0].mul(2.5f).add(-1f).neg().div(3f), new int[]{2, 3}));
        c.add(of(ElementwiseOps.PowScalar.class, "pow 3 and 2", t -> t[0].pow(3f).add(t[0].pow(2f)), new int[]{2, 3}).uniform(0.5, 2));
        c.add(of(ElementwiseOps.LeakyRelu.class, "leakyRelu", t -> t[0].leakyRelu(0.1f), new int[]{3, 4}));
        c.add(of(ElementwiseOps.Clamp.class, "clamp", t -> t[0].clamp(-0.5f, 0.7f), new int[]{3, 4}));
        // reductions
        c.add(of(ReductionOps.SumAll.class, "sum all", t -> t[0].sum(), new int[]{3, 4}));
        c.add(of(ReductionOps.Sum.class, "sum dim", t -> t[0].sum(1, false).add(t[0].sum(-1, true).sum(1, false)), new int[]{2, 3, 4}));
        c.add(of(ReductionOps.Softmax.class, "softmax", t -> t[0].softmax(1), new int[]{2, 5, 3}));
        c.add(of(ReductionOps.Softmax.class, "logSoftmax", t -> t[0].logSoftmax(-1), new int[]{4, 6}));
        c.add(of(IndexingOps.Gather.class, "max via gather", t -> t[0].max(1, false).add(t[0].min(0, true).sum()), new int[]{3, 5}));
        // indexing
        c.add(of(IndexingOps.Gather.class, "gather", t -> t[0].gather(1, IntTensor.of(new int[]{2, 0, 1, 1, 0, 2}, 2, 3)), new int[]{2, 3}));
        c.add(of(IndexingOps.IndexSelect.class, "indexSelect", t -> t[0].indexSelect(1, IntTensor.of(new int[]{3, 0, 3})), new int[]{2, 4, 2}));
        c.add(of(IndexingOps.MaskedFill.class, "maskedFill", t -> t[0].maskedFill(Tensor.of(new float[]{1, 0, 0, 1}, 4), -2f), new int[]{3, 4})
                .bad(new Tensor[]{Tensor.zeros(3, 5)}, "[3, 5]", "[4]"));
        c.add(of(IndexingOps.Where.class, "where", t -> Tensor.where(t[2].gt(0f), t[0], t[1]), new int[]{3, 4}, new int[]{4}, new int[]{3, 4})
                .constants(2));
        c.add(of(IndexingOps.Concat.class, "concat", t -> Tensor.concat(List.of(t[0], t[1]), 1), new int[]{2, 3}, new int[]{2, 1})
                .bad(new Tensor[]{Tensor.zeros(2, 3), Tensor.zeros(3, 1)}, "[2, 3]", "[3, 1]"));
        // views, copies, casts
        c.add(of(ShapeOps.Reshape.class, "reshape", t -> t[0].reshape(4, -1).mul(t[0].reshape(4, 3)), new int[]{2, 6}));
        c.add(of(ShapeOps.Permute.class, "permute", t -> t[0].permute(2, 0, 1).contiguous(), new int[]{2, 3, 4}));
        c.add(of(ShapeOps.Narrow.class, "narrow", t -> t[0].narrow(1, 1, 2).mul(t[0].slice(1, 0, 2)), new int[]{3, 4}));
        c.add(of(ShapeOps.Expand.class, "expand", t -> t[0].expand(3, 2, 4), new int[]{2, 1}));
        c.add(of(ShapeOps.Squeeze.class, "squeeze", t -> t[0].squeeze(1).mul(2f), new int[]{3, 1, 2}));
        c.add(of(ShapeOps.Unsqueeze.class, "unsqueeze", t -> t[0].unsqueeze(0).unsqueeze(-1).mul(2f), new int[]{3, 2}));
        c.add(of(ShapeOps.Copy.class, "contiguous and clone", t -> t[0].t().contiguous().copyTensor(), new int[]{3, 2}));
        // a round trip through float32 is exact for these inputs when the step is a power of two above float spacing
        c.add(of(ShapeOps.Cast.class, "to float32 and back", t -> t[0].to(DType.FLOAT32).mul(2f).to(DType.FLOAT64).to(t[0].dtype()),
                new int[]{2, 3}).uniform(1, 1.5).eps(1.0 / 1024).tolerance(1e-4));
        // linear algebra
        c.add(of(LinalgOps.MatMul.class, "matmul batched broadcast", t -> t[0].matmul(t[1]), new int[]{2, 3, 4}, new int[]{4, 5})
                .bad(new Tensor[]{Tensor.zeros(2, 3), Tensor.zeros(4, 5)}, "[2, 3]", "[4, 5]"));
        c.add(of(LinalgOps.MatMul.class, "matmul vector and transposed", t -> t[0].matmul(t[1].t()).matmul(t[2]), new int[]{3, 4}, new int[]{5, 4}, new int[]{5}));
        for (Activation act : Activation.values()) {
            var op = new LinalgOps.Linear(1, true, act);
            c.add(of(LinalgOps.Linear.class, "linear " + act, t -> LinalgOps.Linear.apply(t[0], List.of(t[1]), List.of(t[2]), act),
                    new int[]{2, 3, 4}, new int[]{5, 4}, new int[]{5}).composite(op::composite).uniform(-2, 2)
                    .bad(new Tensor[]{Tensor.zeros(2, 6), Tensor.zeros(5, 4), Tensor.zeros(5)}, "[2, 6]", "[5, 4]"));
        }
        var stacked = new LinalgOps.Linear(2, true, Activation.NONE);
        c.add(of(LinalgOps.Linear.class, "linear stacked", t -> LinalgOps.Linear.apply(t[0].t(), List.of(t[1], t[2]), List.of(t[3], t[4]), Activation.NONE),
                new int[]{3, 4}, new int[]{2, 3}, new int[]{5, 3}, new int[]{2}, new int[]{5})
                .composite(t -> stacked.composite(t[0].t(), t[1], t[2], t[3], t[4])));
        // losses
        IntTensor labels = IntTensor.of(new int[]{2, 0, 4});
        Tensor classWeights = Tensor.of(new float[]{0.5f, 1f, 2f, 1.5f, 0.7f});
        for (var loss : List.of(new LossOps.CrossEntropy(labels, classWeights, 0.1f, LossOps.Reduction.MEAN),
                new LossOps.CrossEntropy(labels, null, 0f, LossOps.Reduction.NONE),
                new LossOps.CrossEntropy(labels, null, 0.2f, LossOps.Reduction.SUM))) {
            c.add(of(LossOps.CrossEntropy.class, "crossEntropy " + loss.reduction() + " smoothing " + loss.labelSmoothing(),
                    t -> Ops.apply(loss, t[0]), new int[]{3, 5}).composite(loss::composite));
        }
        var nll = new LossOps.Nll(labels, classWeights, LossOps.Reduction.MEAN);
        c.add(of(LossOps.Nll.class, "nll weighted mean", t -> Ops.apply(nll, t[0]), new int[]{3, 5}).composite(nll::composite));
        var bceLogits = new LossOps.BceWithLogits(Tensor.of(new float[]{1f, 2f, 0.5f, 3f}));
        c.add(of(LossOps.BceWithLogits.class, "bceWithLogits posWeight", t -> Ops.apply(bceLogits, t[0], t[1]), new int[]{3, 4}, new int[]{3, 4})
                .composite(bceLogits::composite));
        var bce = new LossOps.Bce();
        c.add(of(LossOps.Bce.class, "bce", t -> Ops.apply(bce, t[0], t[1]), new int[]{3, 4}, new int[]{3, 4}).uniform(0.05, 0.95)
                .composite(bce::composite));
        // normalization
        var bnTrain = new NormOps.BatchNorm(null, null, true, 0.1f, 1e-5f);
        c.add(of(NormOps.BatchNorm.class, "batchNorm batch statistics", t -> Ops.apply(bnTrain, t[0], t[1], t[2]),
                new int[]{3, 2, 2, 2}, new int[]{2}, new int[]{2}).composite(bnTrain::composite));
        var bnEval = new NormOps.BatchNorm(Tensor.of(new float[]{0.2f, -0.1f}), Tensor.of(new float[]{1.5f, 0.6f}), false, 0.1f, 1e-5f);
        c.add(of(NormOps.BatchNorm.class, "batchNorm running statistics", t -> Ops.apply(bnEval, t[0], t[1], null),
                new int[]{2, 2, 3}, new int[]{2}).composite(t -> bnEval.composite(t[0], t[1], null)));
        var ln = new NormOps.LayerNorm(new int[]{2, 3}, 1e-5f);
        c.add(of(NormOps.LayerNorm.class, "layerNorm", t -> Ops.apply(ln, t[0], t[1], t[2]),
                new int[]{4, 2, 3}, new int[]{2, 3}, new int[]{2, 3}).composite(ln::composite));
        // convolution and pooling
        for (boolean relu : new boolean[]{false, true}) {
            var conv = new ConvOps.Conv2d(new gradus.kernels.Im2col.Geometry(2, 5, 6, 3, 2, 2, 1, 1, 0, 1, 2), relu);
            c.add(of(ConvOps.Conv2d.class, "conv2d stride padding dilation relu " + relu, t -> Ops.apply(conv, t[0], t[1], t[2]),
                    new int[]{2, 2, 5, 6}, new int[]{3, 2, 3, 2}, new int[]{3}).composite(conv::composite));
        }
        // transposed convolution: the geometry is that of the convolution from the output back to x
        var convT = new ConvOps.ConvTranspose2d(new gradus.kernels.Im2col.Geometry(2, 8, 6, 3, 2, 2, 2, 1, 0, 1, 1), 1, 0);
        c.add(of(ConvOps.ConvTranspose2d.class, "convTranspose2d stride 2 padding output padding", t -> Ops.apply(convT, t[0], t[1], t[2]),
                new int[]{2, 3, 4, 3}, new int[]{3, 2, 3, 2}, new int[]{2}).composite(convT::composite));
        var convTDilated = new ConvOps.ConvTranspose2d(new gradus.kernels.Im2col.Geometry(3, 7, 5, 2, 3, 1, 2, 0, 1, 2, 1), 0, 0);
        c.add(of(ConvOps.ConvTranspose2d.class, "convTranspose2d dilated, no bias", t -> gradus.nn.F.convTranspose2d(t[0], t[1], null,
                new int[]{1, 2}, new int[]{0, 1}, new int[]{0}, new int[]{2, 1}),
                new int[]{1, 2, 5, 3}, new int[]{2, 3, 2, 3}).composite(t -> convTDilated.composite(t[0], t[1], null))
                .bad(new Tensor[]{Tensor.zeros(1, 3, 5, 3), Tensor.zeros(2, 3, 2, 3), null}, "[1, 3, 5, 3]", "[2, 3, 2, 3]"));
        // layers composed of primitive ops, checked here through the op they stand on
        c.add(of(ConvOps.Conv2d.class, "grouped conv2d (2 groups)", t -> gradus.nn.F.conv2d(t[0], t[1], t[2], new int[]{1}, new int[]{1},
                new int[]{1}, false, 2), new int[]{2, 4, 4, 4}, new int[]{6, 2, 3, 3}, new int[]{6})
                .bad(new Tensor[]{Tensor.zeros(2, 3, 4, 4), Tensor.zeros(6, 2, 3, 3), null}, "[2, 3, 4, 4]", "[6, 2, 3, 3]"));
        c.add(of(LinalgOps.MatMul.class, "upsample bilinear", t -> gradus.nn.F.upsampleBilinear(t[0], 5, 7, false), new int[]{2, 1, 3, 4}));
        c.add(of(IndexingOps.IndexSelect.class, "upsample nearest", t -> gradus.nn.F.upsampleNearest(t[0], 5, 7), new int[]{2, 1, 3, 4}));
        c.add(of(NormOps.LayerNorm.class, "groupNorm", t -> gradus.nn.F.groupNorm(t[0], 2, t[1], t[2], 1e-5f),
                new int[]{2, 4, 3, 2}, new int[]{4}, new int[]{4})
                .bad(new Tensor[]{Tensor.zeros(2, 3, 3, 2), null, null}, "[2, 3, 3, 2]"));
        gradus.tensor.Rng.manualSeed(21);
        var bottleneck = new gradus.nn.ResidualBlock(8, 8, 1, true);
        c.add(of(NormOps.BatchNorm.class, "residual bottleneck block", t -> bottleneck.forward(t[0]), new int[]{3, 8, 4, 4}).eps(1e-5).tolerance(1e-3));
        var cw = gradus.kernels.Pool2d.Window.of("maxPool2d", new int[]{2, 2, 5, 6}, new int[]{3, 2}, new int[]{2, 2}, new int[]{1, 1});
        var maxPool = new ConvOps.MaxPool2d(cw);
        c.add(of(ConvOps.MaxPool2d.class, "maxPool2d padded", t -> Ops.apply(maxPool, t[0]), new int[]{2, 2, 5, 6}).composite(maxPool::composite));
        var pairs = new ConvOps.MaxPool2d(gradus.kernels.Pool2d.Window.of("maxPool2d", new int[]{1, 2, 4, 16}, new int[]{2, 2}, new int[]{2, 2}, new int[]{0, 0}));
        c.add(of(ConvOps.MaxPool2d.class, "maxPool2d 2x2 vectorized", t -> Ops.apply(pairs, t[0]), new int[]{1, 2, 4, 16}).composite(pairs::composite));
        var avgPool = new ConvOps.AvgPool2d(cw);
        c.add(of(ConvOps.AvgPool2d.class, "avgPool2d padded", t -> Ops.apply(avgPool, t[0]), new int[]{2, 2, 5, 6}).composite(avgPool::composite));
        var l1 = new LossOps.L1Penalty();
        c.add(of(LossOps.L1Penalty.class, "l1 penalty", t -> Ops.apply(l1, t[0], t[1]), new int[]{2, 3}, new int[]{4}).composite(l1::composite));
        var l2 = new LossOps.L2Penalty();
        c.add(of(LossOps.L2Penalty.class, "l2 penalty", t -> Ops.apply(l2, t[0], t[1]), new int[]{2, 3}, new int[]{4}).composite(l2::composite));
        IntTensor ids = IntTensor.of(new int[]{1, 3, 0, 1, 2, 3}, 2, 3);
        var emb = new IndexingOps.Embedding(ids, -1);
        c.add(of(IndexingOps.Embedding.class, "embedding", t -> Ops.apply(emb, t[0]), new int[]{4, 5}).composite(emb::composite));
        // the padding row's output is masked, so that its (deliberately) missing gradient is the true one
        var padded = new IndexingOps.Embedding(ids, 3);
        Tensor notPad = Tensor.of(new float[]{1, 0, 1, 1, 1, 0}, 2, 3, 1);
        c.add(of(IndexingOps.Embedding.class, "embedding with padding", t -> Ops.apply(padded, t[0]).mul(notPad), new int[]{4, 5})
                .composite(t -> padded.composite(t).mul(notPad)));
        // attention: causal, padded keys and dropout factors; and the packed qkv form
        boolean[] masked = {false, false, false, true, false, false, false, false};
        float[] keep = new float[2 * 2 * 3 * 4];
        for (int i = 0; i < keep.length; i++) keep[i] = i % 5 == 0 ? 0f : 1.25f;
        var att = new AttentionOps.Attention(new gradus.kernels.AttentionKernel.Shape(2, 2, 3, 4, 3, 2, (float) (1 / Math.sqrt(3)), true, masked), keep, null);
        c.add(of(AttentionOps.Attention.class, "attention causal padded dropout", t -> Ops.apply(att, t[0], t[1], t[2]),
                new int[]{2, 2, 3, 3}, new int[]{2, 2, 4, 3}, new int[]{2, 2, 4, 2}).composite(att::composite));
        var packed = new AttentionOps.PackedAttention(new gradus.kernels.AttentionKernel.Shape(2, 2, 3, 3, 2, 2, (float) (1 / Math.sqrt(2)), false, null), null, null);
        c.add(of(AttentionOps.PackedAttention.class, "packed attention", t -> Ops.apply(packed, t[0]), new int[]{2, 3, 12})
                .composite(packed::composite));
        // sliding windows: several 32-row tiles, bands that start past key 0, global keys and queries
        for (var w : windowedAttention()) {
            c.add(of(AttentionOps.Attention.class, w.label, t -> Ops.apply(w.op, t[0], t[1], t[2]), w.q, w.k, w.v).composite(w.op::composite));
        }
        var windowShape = new gradus.kernels.AttentionKernel.Shape(1, 2, 69, 69, 2, 2, (float) (1 / Math.sqrt(2)), false, null,
                new gradus.kernels.AttentionKernel.Window(6, 0));
        var packedWindow = new AttentionOps.PackedAttention(windowShape, null, null);
        c.add(of(AttentionOps.PackedAttention.class, "packed attention window 6", t -> Ops.apply(packedWindow, t[0]), new int[]{1, 69, 12})
                .composite(packedWindow::composite));
        float[] cos = new float[6 * 2], sin = new float[6 * 2];
        for (int i = 0; i < cos.length; i++) {
            cos[i] = (float) Math.cos(0.3 * i + 0.1);
            sin[i] = (float) Math.sin(0.3 * i + 0.1);
        }
        var rotary = new AttentionOps.Rotary(cos, sin, 2);
        c.add(of(AttentionOps.Rotary.class, "rotary with offset", t -> Ops.apply(rotary, t[0].transpose(2, 3).transpose(2, 3)), new int[]{2, 2, 3, 4})
                .composite(rotary::composite));
        // recurrent layers: both directions with per-sequence lengths and initial states; time-major without biases;
        // a hidden size of 9 runs the kernels' vector loop and its scalar tail
        var lstm = new RecurrentOps.Layer(Sweep.Cell.LSTM, 2, 2, new Sweep.Layout(3, 4, true, new int[]{4, 2, 3}));
        c.add(of(RecurrentOps.Layer.class, "lstm bidirectional lengths h0 c0", t -> Ops.apply(lstm, t),
                new int[]{3, 4, 3}, new int[]{8, 3}, new int[]{8, 2}, new int[]{8}, new int[]{8},
                new int[]{8, 3}, new int[]{8, 2}, new int[]{8}, new int[]{8}, new int[]{2, 3, 2}, new int[]{2, 3, 2})
                .composite(lstm::composite));
        var lstmWide = new RecurrentOps.Layer(Sweep.Cell.LSTM, 9, 1, new Sweep.Layout(2, 3, true, null));
        c.add(of(RecurrentOps.Layer.class, "lstm hidden 9", t -> Ops.apply(lstmWide, t[0], t[1], t[2], t[3], t[4], null, null),
                new int[]{2, 3, 4}, new int[]{36, 4}, new int[]{36, 9}, new int[]{36}, new int[]{36})
                .composite(t -> lstmWide.composite(t[0], t[1], t[2], t[3], t[4], null, null)));
        var gru = new RecurrentOps.Layer(Sweep.Cell.GRU, 9, 1, new Sweep.Layout(2, 3, false, null));
        c.add(of(RecurrentOps.Layer.class, "gru time-major no bias h0", t -> Ops.apply(gru, t[0], t[1], t[2], null, null, t[3], null),
                new int[]{3, 2, 4}, new int[]{27, 4}, new int[]{27, 9}, new int[]{1, 2, 9})
                .composite(t -> gru.composite(t[0], t[1], t[2], null, null, t[3], null)));
        var gruBi = new RecurrentOps.Layer(Sweep.Cell.GRU, 2, 2, new Sweep.Layout(3, 4, true, new int[]{1, 4, 2}));
        c.add(of(RecurrentOps.Layer.class, "gru bidirectional lengths", t -> Ops.apply(gruBi, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], null, null),
                new int[]{3, 4, 3}, new int[]{6, 3}, new int[]{6, 2}, new int[]{6}, new int[]{6},
                new int[]{6, 3}, new int[]{6, 2}, new int[]{6}, new int[]{6})
                .composite(t -> gruBi.composite(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], null, null)));
        return c;
    }

    private record WindowCase(String label, AttentionOps.Attention op, int[] q, int[] k, int[] v) {}

    private static List<WindowCase> windowedAttention() {
        List<WindowCase> cases = new ArrayList<>();
        int t = 69;
        boolean[] masked = new boolean[2 * t];
        masked[40] = true;                                   // a padded key inside row 0's bands
        for (int j = 60; j < t; j++) masked[t + j] = true;   // row 1 right-padded
        var bidirectional = new gradus.kernels.AttentionKernel.Shape(2, 1, t, t, 3, 2, (float) (1 / Math.sqrt(3)), false, masked,
                new gradus.kernels.AttentionKernel.Window(4, 2));
        float[] keep = new float[Math.toIntExact(bidirectional.savedSize())];
        for (int i = 0; i < keep.length; i++) keep[i] = i % 7 == 0 ? 0f : 1f / (1 - 1f / 7);
        cases.add(new WindowCase("attention window 4 global 2 padded dropout", new AttentionOps.Attention(bidirectional, keep, null),
                new int[]{2, 1, t, 3}, new int[]{2, 1, t, 3}, new int[]{2, 1, t, 2}));
        // 40 new queries after 29 cached keys: positions 29…68, each sees the 3 keys before it and key 0
        var causal = new gradus.kernels.AttentionKernel.Shape(1, 2, 40, t, 3, 3, (float) (1 / Math.sqrt(3)), true, null,
                new gradus.kernels.AttentionKernel.Window(3, 1));
        cases.add(new WindowCase("attention causal window 3 global 1 after cached keys", new AttentionOps.Attention(causal, null, null),
                new int[]{1, 2, 40, 3}, new int[]{1, 2, t, 3}, new int[]{1, 2, t, 3}));
        // more global queries than one tile holds, causal
        var sinks = new gradus.kernels.AttentionKernel.Shape(1, 1, t, t, 2, 2, (float) (1 / Math.sqrt(2)), true, null,
                new gradus.kernels.AttentionKernel.Window(5, 35));
        cases.add(new WindowCase("attention causal window 5 global 35", new AttentionOps.Attention(sinks, null, null),
                new int[]{1, 1, t, 2}, new int[]{1, 1, t, 2}, new int[]{1, 1, t, 2}));
        return cases;
    }

    private static Tensor unary(UnaryFn fn, Tensor x) {
        return switch (fn) {
            case EXP -> x.exp();
            case LOG -> x.log();
            case SQRT -> x.sqrt();
            case ABS -> x.abs();
            case TANH -> x.tanh();
            case SIGMOID -> x.sigmoid();
            case RELU -> x.relu();
            case GELU -> x.gelu();
            case SILU -> x.silu();
            case SIN -> x.sin();
            case COS -> x.cos();
            case ERF -> x.erf();
        };
    }
}
