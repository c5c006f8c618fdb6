package gradus.models;

import gradus.config.ConfigRecords;
import gradus.nn.Embedding;
import gradus.nn.F;
import gradus.nn.FusedLinear;
import gradus.nn.KeyPadding;
import gradus.nn.LayerNorm;
import gradus.nn.LearnedPositionalEmbedding;
import gradus.nn.Linear;
import gradus.nn.Losses;
import gradus.nn.Module;
import gradus.nn.MultiHeadAttention;
import gradus.nn.Reduction;
import gradus.nn.Sequential;
import gradus.nn.TransformerDecoderBlock;
import gradus.nn.TransformerEncoderBlock;
import gradus.nn.init.Init;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A T5-style encoder–decoder Transformer, laid out as PyTorch's {@code nn.Transformer} with
 * {@code norm_first=True, activation="gelu"}: one token embedding {@code tok_emb} shared by source,
 * target and the output head (tied), learned positions {@code enc_pos} and {@code dec_pos}, pre-LN
 * encoder blocks {@code encoder.0..} and a final {@code enc_norm}, pre-LN decoder blocks
 * {@code decoder.0..} (causal self-attention, cross-attention over the encoder output, MLP) and a final
 * {@code dec_norm}. Padded source positions ({@code pad_id}) are hidden from both attentions. Trained
 * with teacher forcing: the decoder reads BOS + target[:-1] and predicts target; generation is in
 * {@link Seq2SeqDecoding}. Initialized as GPT-2: N(0, 0.02) weights, zero biases.
 */
public final class Seq2SeqTransformer extends Module {
    /** The {@code type} that configs name it by. */
    public static final String TYPE = "Seq2SeqTransformer";
    private final Seq2SeqConfig config;
    private final Embedding tokEmb;
    private final LearnedPositionalEmbedding encPos, decPos;
    private final List<TransformerEncoderBlock> encoder = new ArrayList<>();
    private final List<TransformerDecoderBlock> decoder = new ArrayList<>();
    private final LayerNorm encNorm, decNorm;

    public Seq2SeqTransformer(Seq2SeqConfig config) {
        this.config = config;
        int w = config.width(), hidden = config.mlpHidden();
        float p = config.dropout();
        tokEmb = registerModule("tok_emb", new Embedding(config.vocabSize(), w));
        encPos = registerModule("enc_pos", new LearnedPositionalEmbedding(config.sourceLength(), w));
        decPos = registerModule("dec_pos", new LearnedPositionalEmbedding(config.targetLength(), w));
        for (int i = 0; i < config.encoderLayers(); i++) encoder.add(new TransformerEncoderBlock(w, config.heads(), hidden, p, true, 1e-5f, false));
        registerModule("encoder", new Sequential(encoder));
        encNorm = registerModule("enc_norm", new LayerNorm(w));
        for (int i = 0; i < config.decoderLayers(); i++) decoder.add(new TransformerDecoderBlock(w, config.heads(), hidden, p, true, 1e-5f, true, false));
        registerModule("decoder", new Sequential(decoder));
        decNorm = registerModule("dec_norm", new LayerNorm(w));
        for (Tensor t : List.of(tokEmb.weight(), encPos.weight(), decPos.weight())) Init.normal(t, 0f, 0.02f);
        List<Linear> linears = new ArrayList<>();
        for (TransformerEncoderBlock b : encoder) {
            linears.addAll(projections(b.selfAttn()));
            linears.addAll(List.of(b.linear1(), b.linear2()));
        }
        for (TransformerDecoderBlock b : decoder) {
            linears.addAll(projections(b.selfAttn()));
            linears.addAll(projections(b.crossAttn()));
            linears.addAll(List.of(b.linear1(), b.linear2()));
        }
        for (Linear l : linears) {
            Init.normal(l.weight(), 0f, 0.02f);
            if (l.bias() != null) Init.zeros(l.bias());
        }
    }

    private static List<Linear> projections(MultiHeadAttention a) {
        return List.of(a.qProj(), a.kProj(), a.vProj(), a.outProj());
    }

    public Seq2SeqConfig seq2seqConfig() {
        return config;
    }

    /** The encoder output [B, S, width] of source ids [B, S] (S ≤ source_length). */
    public Tensor encode(IntTensor source) {
        checkIds("source", source, config.sourceLength());
        KeyPadding padding = sourcePadding(source);
        Tensor x = embed(source, encPos);
        for (TransformerEncoderBlock b : encoder) x = b.forward(x, padding);
        return encNorm.forward(x);
    }

    /** Logits [B, T, vocab] of decoder inputs [B, T] (T ≤ target_length) over the encoder output of {@code source}. */
    public Tensor decode(IntTensor decoderInput, Tensor memory, IntTensor source) {
        checkIds("decoder input", decoderInput, config.targetLength());
        if (memory.dim() != 3 || memory.size(0) != decoderInput.size(0) || memory.size(2) != config.width()
                || source.size(0) != memory.size(0) || source.size(1) != memory.size(1)) {
            throw new IllegalArgumentException("decode needs memory [" + decoderInput.size(0) + ", S, " + config.width()
                    + "] and its source ids [" + decoderInput.size(0) + ", S], got " + Shape.str(memory.shape()) + " and " + Shape.str(source.shape()));
        }
        KeyPadding padding = sourcePadding(source);
        Tensor x = embed(decoderInput, decPos);
        for (TransformerDecoderBlock b : decoder) x = b.forward(x, memory, padding, null);
        return FusedLinear.apply(decNorm.forward(x), tokEmb.weight(), null);
    }

    /** Teacher-forced logits [B, T, vocab]: source ids [B, S] and decoder inputs [B, T] (BOS + target[:-1]). */
    public Tensor forward(IntTensor source, IntTensor decoderInput) {
        return decode(decoderInput, encode(source), source);
    }

    /**
     * The Trainer's entry: x [B, source_length + T] holds whole-number ids, the padded source in the first
     * source_length columns and the decoder input in the rest (what {@link Seq2SeqData} writes).
     */
    @Override
    public Tensor forward(Tensor x) {
        int s = config.sourceLength();
        if (x.dim() != 2 || x.size(1) <= s) {
            throw new IllegalArgumentException("Seq2SeqTransformer expects [batch, " + s + " source ids + decoder ids], got " + Shape.str(x.shape()));
        }
        IntTensor ids = wholeNumbers(x);
        int b = x.size(0), t = x.size(1) - s;
        int[] src = new int[b * s], dec = new int[b * t], all = ids.data();
        for (int r = 0; r < b; r++) {
            System.arraycopy(all, r * (s + t), src, r * s, s);
            System.arraycopy(all, r * (s + t) + s, dec, r * t, t);
        }
        return forward(IntTensor.of(src, b, s), IntTensor.of(dec, b, t));
    }

    /** Mean cross-entropy over the target tokens that are not {@code padId}: logits [B, T, V], targets [B, T]. */
    public static Tensor loss(Tensor logits, IntTensor targets, int padId) {
        if (logits.dim() != 3 || targets.dim() != 2 || logits.size(0) != targets.size(0) || logits.size(1) != targets.size(1)) {
            throw new IllegalArgumentException("seq2seq loss expects logits [B, T, V] and targets [B, T], got " + Shape.str(logits.shape())
                    + " and " + Shape.str(targets.shape()));
        }
        int n = targets.numel();
        int[] labels = targets.data().clone();
        float[] keep = new float[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] == padId) labels[i] = 0; // any valid class: its term is multiplied by 0
            else {
                keep[i] = 1f;
                count++;
            }
        }
        if (count == 0) throw new IllegalArgumentException("seq2seq loss: every target token is padding (id " + padId + ")");
        Tensor perToken = Losses.crossEntropy(logits.reshape(n, logits.size(2)), IntTensor.of(labels, n), null, 0f, Reduction.NONE);
        return perToken.mul(Tensor.of(keep, n).to(perToken.dtype())).sum().div(count);
    }

    private Tensor embed(IntTensor ids, LearnedPositionalEmbedding positions) {
        return F.dropout(positions.forward(tokEmb.forward(ids), 0), config.dropout(), isTraining(), Rng.global());
    }

    private KeyPadding sourcePadding(IntTensor source) {
        int[] ids = source.data();
        float[] mask = new float[ids.length];
        for (int i = 0; i < ids.length; i++) mask[i] = ids[i] == config.padId() ? 1f : 0f;
        return KeyPadding.ignore(Tensor.of(mask, source.shape()));
    }

    private void checkIds(String what, IntTensor ids, int maxLength) {
        if (ids.dim() != 2 || ids.size(1) == 0 || ids.size(1) > maxLength) {
            throw new IllegalArgumentException("Seq2SeqTransformer expects " + what + " ids [batch, 1.." + maxLength + "], got " + Shape.str(ids.shape()));
        }
        for (int id : ids.data()) {
            if (id < 0 || id >= config.vocabSize()) throw new IllegalArgumentException(what + " token id " + id + " is outside the vocabulary of " + config.vocabSize());
        }
    }

    private static IntTensor wholeNumbers(Tensor x) {
        float[] v = x.toArray();
        int[] ix = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) throw new IllegalArgumentException("Seq2SeqTransformer expects whole-number token ids, got " + v[i]);
            ix[i] = (int) v[i];
        }
        return IntTensor.of(ix, x.shape());
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", TYPE);
        c.putAll(ConfigRecords.write(config));
        return c;
    }
}
