package gradus.models;

import gradus.io.onnx.AttentionExport;
import gradus.io.onnx.AttentionExport.Context;
import gradus.io.onnx.DataType;
import gradus.io.onnx.OnnxExporter;
import gradus.io.onnx.OnnxExporter.Flow;
import gradus.io.onnx.OnnxExports;
import gradus.io.onnx.RecurrentExport;
import gradus.nn.Embedding;
import gradus.nn.LSTM;
import gradus.nn.LayerNorm;
import gradus.nn.LearnedPositionalEmbedding;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.RotaryEmbedding;
import gradus.nn.SinusoidalPositionalEncoding;
import gradus.nn.TransformerDecoderBlock;
import gradus.nn.TransformerEncoderBlock;
import gradus.tensor.Tensor;

import java.util.List;
import java.util.Map;

import static gradus.io.onnx.OnnxExporter.attr;
import static gradus.io.onnx.OnnxExports.Export.textModel;

/**
 * The ONNX export of the models that read token ids int64 [batch, sequence], right-padded with id 0: LstmClassifier,
 * Gpt and TransformerClassifier; and Bert, which also reads an attention mask and token types. As in the models, a row's length is its count of non-zero ids (at
 * least 1), computed in the graph, so padded rows run the same in ONNX Runtime.
 */
public final class TextModelExports implements OnnxExports {
    @Override
    public List<Export> exports() {
        return List.of(
                textModel(LstmClassifier.class, "logits", List.of(), TextModelExports::lstmClassifier),
                textModel(Gpt.class, "logits", List.of(), TextModelExports::gpt),
                textModel(TransformerClassifier.class, "logits", List.of(), TextModelExports::transformerClassifier),
                textModel(Bert.class, "last_hidden_state", List.of(ATTENTION_MASK, TOKEN_TYPE_IDS), TextModelExports::bert));
    }

    /** Embedding → LSTM (stopping at each row's length) → pooling (last, mean or max) → Linear. */
    private static Flow lstmClassifier(OnnxExporter g, Module m, String path, Flow ids) {
        Map<String, Module> parts = m.children();
        Lengths len = lengths(g, ids);
        Flow x = RecurrentExport.swapFirstAxes(g, embed(g, (Embedding) parts.get("embedding"), path + "embedding.", ids));
        Flow sequenceLengths = g.node("Cast", 1, List.of(len.count().name()), attr("to", (long) DataType.INT32.code));
        var r = RecurrentExport.run(g, (LSTM) parts.get("lstm"), path + "lstm.", x, sequenceLengths.name());
        String pooling = String.valueOf(m.config().get("pooling"));
        Flow features = switch (pooling) {
            // h_n [D, B, H] → [B, D·H]: the directions side by side, as LstmClassifier concatenates them.
            case "last" -> g.node("Reshape", 2, List.of(RecurrentExport.swapFirstAxes(g, r.lastHidden()).name(), g.longs(new long[]{0, -1})));
            case "mean" -> meanOverRealSteps(g, RecurrentExport.swapFirstAxes(g, r.sequence()), len);
            case "max" -> {
                Flow out = RecurrentExport.swapFirstAxes(g, r.sequence());
                Flow padded = g.node("Unsqueeze", 3, List.of(g.node("Not", 2, List.of(len.real().name())).name(), g.longs(new long[]{2})));
                Flow masked = g.node("Where", 3, List.of(padded.name(), g.constant(Float.NEGATIVE_INFINITY), out.name()));
                yield g.node("ReduceMax", 2, List.of(masked.name()), attr("axes", new long[]{1}), attr("keepdims", 0L));
            }
            default -> throw new IllegalArgumentException("ONNX export of LstmClassifier does not know pooling '" + pooling + "'");
        };
        return g.layer(parts.get("head"), path + "head.", features);
    }

    /** Token + position embeddings → causal decoder blocks → ln_f → LM head (tied: tok_emb's weight). */
    private static Flow gpt(OnnxExporter g, Module m, String path, Flow ids) {
        Gpt gpt = (Gpt) m;
        GptConfig cfg = gpt.gptConfig();
        Map<String, Module> parts = gpt.children();
        Embedding tokEmb = (Embedding) parts.get("tok_emb");
        String table = g.initializer(path + "tok_emb.weight", tokEmb.weight());
        Flow x = g.node("Gather", 3, List.of(table, ids.name()), attr("axis", 0L));
        Flow cos = null, sin = null;
        switch (parts.get("pos_emb")) {
            case LearnedPositionalEmbedding p -> x = addPositions(g, x, g.initializer(path + "pos_emb.weight", p.weight()), ids);
            case SinusoidalPositionalEncoding p -> x = addPositions(g, x, g.constant(p.table()), ids);
            case null -> {
                List<TransformerDecoderBlock> blocks = gpt.blocks();
                Tensor[] t = AttentionExport.rotaryTables((RotaryEmbedding) blocks.getFirst().selfAttn().children().get("rotary"), cfg.contextLength());
                cos = firstRows(g, g.constant(t[0]), ids);
                sin = firstRows(g, g.constant(t[1]), ids);
            }
            default -> throw new IllegalArgumentException("ONNX export of Gpt does not know positions " + parts.get("pos_emb").getClass().getSimpleName());
        }
        Context ctx = new Context(AttentionExport.causalMask(g, ids), null, cos, sin);
        List<TransformerDecoderBlock> blocks = gpt.blocks();
        for (int i = 0; i < blocks.size(); i++) x = AttentionExport.decoderBlock(g, blocks.get(i), path + "blocks." + i + ".", x, ctx);
        x = g.layer(parts.get("ln_f"), path + "ln_f.", x);
        if (parts.get("lm_head") instanceof Linear head) return g.layer(head, path + "lm_head.", x);
        // Tied head: the same initializer as the token table, so a re-import keeps one shared parameter.
        Flow wt = g.node("Transpose", 2, List.of(table), attr("perm", new long[]{1, 0}));
        return g.node("MatMul", 3, List.of(x.name(), wt.name()));
    }

    /** Token + learned positions → encoder blocks (padding hidden from attention) → norm → mean over real tokens → Linear. */
    private static Flow transformerClassifier(OnnxExporter g, Module m, String path, Flow ids) {
        Map<String, Module> parts = m.children();
        Lengths len = lengths(g, ids);
        Flow x = embed(g, (Embedding) parts.get("embedding"), path + "embedding.", ids);
        x = addPositions(g, x, g.initializer(path + "positions.weight", ((LearnedPositionalEmbedding) parts.get("positions")).weight()), ids);
        Flow padded = g.node("Not", 2, List.of(len.real().name()));
        Flow keyPadding = g.node("Unsqueeze", 4, List.of(padded.name(), g.longs(new long[]{1, 2})));
        Context ctx = new Context(null, keyPadding, null, null);
        int layers = ((Number) m.config().get("layers")).intValue();
        for (int i = 0; i < layers; i++) {
            x = AttentionExport.encoderBlock(g, (TransformerEncoderBlock) parts.get("block" + i), path + "block" + i + ".", x, ctx);
        }
        x = g.layer((LayerNorm) parts.get("norm"), path + "norm.", x);
        return g.layer(parts.get("head"), path + "head.", meanOverRealSteps(g, x, len));
    }

    /** Bert's graph inputs besides input_ids, named and ordered as Hugging Face's ONNX exports name them. */
    private static final String ATTENTION_MASK = "attention_mask", TOKEN_TYPE_IDS = "token_type_ids";

    /**
     * Word + token-type + position embeddings → LayerNorm → post-LN encoder blocks, keys where attention_mask is 0
     * hidden: the last hidden state [B, T, H], as Bert computes it (pooling is the application's, as in the original files).
     */
    private static Flow bert(OnnxExporter g, Module m, String path, Flow ids) {
        Bert bert = (Bert) m;
        Map<String, Module> emb = bert.embeddings().children();
        Flow x = embed(g, (Embedding) emb.get("word"), path + "embeddings.word.", ids);
        Flow types = embed(g, (Embedding) emb.get("token_type"), path + "embeddings.token_type.", new Flow(TOKEN_TYPE_IDS, 2));
        x = g.node("Add", 3, List.of(x.name(), types.name()));
        x = addPositions(g, x, g.initializer(path + "embeddings.position.weight", ((Embedding) emb.get("position")).weight()), ids);
        x = g.layer(emb.get("norm"), path + "embeddings.norm.", x);
        Flow padded = g.node("Equal", 2, List.of(ATTENTION_MASK, g.longScalar(0)));
        Context ctx = new Context(null, g.node("Unsqueeze", 4, List.of(padded.name(), g.longs(new long[]{1, 2}))), null, null);
        List<TransformerEncoderBlock> layers = bert.layers();
        for (int i = 0; i < layers.size(); i++) x = AttentionExport.encoderBlock(g, layers.get(i), path + "layers." + i + ".", x, ctx);
        return x;
    }

    /** Per row: {@code count} float [B], its non-padding ids (at least 1); {@code real} bool [B, T], position &lt; count. */
    private record Lengths(Flow count, Flow real) {}

    private static Lengths lengths(OnnxExporter g, Flow ids) {
        Flow isPad = g.node("Equal", 2, List.of(ids.name(), g.longScalar(0)));
        Flow nonPad = g.node("Cast", 2, List.of(g.node("Not", 2, List.of(isPad.name())).name()), attr("to", (long) DataType.FLOAT.code));
        Flow n = g.node("ReduceSum", 1, List.of(nonPad.name(), g.longs(new long[]{1})), attr("keepdims", 0L));
        Flow count = g.node("Max", 1, List.of(n.name(), g.constant(1f)));
        // Lengths, not the ids themselves, decide which positions are real: a 0 inside a row still counts as a step.
        Flow t = g.node("Cast", 1, List.of(g.positions(ids).name()), attr("to", (long) DataType.FLOAT.code));
        Flow real = g.node("Less", 2, List.of(g.unsqueeze(t, 0).name(), g.unsqueeze(count, 1).name()));
        return new Lengths(count, real);
    }

    /** x [B, T, F] → the mean over each row's real steps [B, F]. */
    private static Flow meanOverRealSteps(OnnxExporter g, Flow x, Lengths len) {
        Flow weight = g.node("Cast", 2, List.of(len.real().name()), attr("to", (long) DataType.FLOAT.code));
        Flow masked = g.node("Mul", 3, List.of(x.name(), g.unsqueeze(weight, 2).name()));
        Flow sum = g.node("ReduceSum", 2, List.of(masked.name(), g.longs(new long[]{1})), attr("keepdims", 0L));
        return g.node("Div", 2, List.of(sum.name(), g.unsqueeze(len.count, 1).name()));
    }

    private static Flow embed(OnnxExporter g, Embedding e, String path, Flow ids) {
        return g.node("Gather", 3, List.of(g.initializer(path + "weight", e.weight()), ids.name()), attr("axis", 0L));
    }

    /** x [B, T, W] plus rows 0..T-1 of the position table [maxLen, W]. */
    private static Flow addPositions(OnnxExporter g, Flow x, String table, Flow ids) {
        return g.node("Add", 3, List.of(x.name(), firstRows(g, table, ids).name()));
    }

    /** Rows 0..T-1 of a [rows, …] table, T being the ids' sequence length. */
    private static Flow firstRows(OnnxExporter g, String table, Flow ids) {
        Flow t = g.node("Shape", 1, List.of(ids.name()), attr("start", 1L), attr("end", 2L));
        return g.node("Slice", 2, List.of(table, g.longs(new long[]{0}), t.name(), g.longs(new long[]{0})));
    }
}
