package gradus.models;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import gradus.config.Config;
import gradus.config.ConfigException;

import gradus.files.FileFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hyperparameters of a {@link Bert}, under Hugging Face's config.json names: {@code vocab_size},
 * {@code hidden_size}, {@code num_hidden_layers}, {@code num_attention_heads}, {@code intermediate_size},
 * {@code max_position_embeddings}, {@code type_vocab_size}, {@code layer_norm_eps},
 * {@code hidden_dropout_prob}. The encoder blocks apply one dropout rate, hidden_dropout_prob, to attention
 * weights too, so a Hugging Face {@code attention_probs_dropout_prob} is not kept (both are 0.1 in BERT).
 */
public record BertConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize,
                         int maxPositionEmbeddings, int typeVocabSize, float layerNormEps, float hiddenDropoutProb) {

    public BertConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0 || intermediateSize <= 0
                || maxPositionEmbeddings <= 0 || typeVocabSize <= 0) {
            throw new IllegalArgumentException("BERT sizes must be positive, got " + this);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("BERT hidden_size " + hiddenSize + " must be divisible by num_attention_heads " + numAttentionHeads);
        }
        if (!(layerNormEps > 0f)) throw new IllegalArgumentException("BERT layer_norm_eps must be positive, got " + layerNormEps);
        if (hiddenDropoutProb < 0f || hiddenDropoutProb >= 1f) {
            throw new IllegalArgumentException("BERT hidden_dropout_prob must be in [0, 1), got " + hiddenDropoutProb);
        }
    }

    /** BERT-base's defaults for the rest: 512 positions, 2 token types, eps 1e-12, dropout 0.1. */
    public static BertConfig of(int vocabSize, int hiddenSize, int layers, int heads, int intermediateSize) {
        return new BertConfig(vocabSize, hiddenSize, layers, heads, intermediateSize, 512, 2, 1e-12f, 0.1f);
    }

    public BertConfig withDropout(float p) {
        return new BertConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, maxPositionEmbeddings,
                typeVocabSize, layerNormEps, p);
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    static final String[] KEYS = {"type", "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
            "max_position_embeddings", "type_vocab_size", "layer_norm_eps", "hidden_dropout_prob"};

    /** The model section of a Gradus config.json: {@code type: Bert} and the Hugging Face keys. */
    public Map<String, Object> toMap() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "Bert");
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", hiddenSize);
        c.put("num_hidden_layers", numHiddenLayers);
        c.put("num_attention_heads", numAttentionHeads);
        c.put("intermediate_size", intermediateSize);
        c.put("max_position_embeddings", maxPositionEmbeddings);
        c.put("type_vocab_size", typeVocabSize);
        c.put("layer_norm_eps", layerNormEps);
        c.put("hidden_dropout_prob", hiddenDropoutProb);
        return c;
    }

    /** Reads the keys of {@link #toMap()} strictly; the last four are optional (BERT-base's defaults). */
    public static BertConfig from(Config c) {
        c.allowOnly(KEYS);
        return read(c);
    }

    /**
     * Reads a Hugging Face config.json of a BERT-family model ({@code model_type} bert, or absent),
     * ignoring keys that do not change the encoder's arithmetic (architectures, pad_token_id, …).
     * Fails on an activation other than exact GELU or a position embedding other than absolute.
     */
    public static BertConfig fromHuggingFace(Map<String, ?> json, String where) {
        Config c = new Config(where, json);
        String type = c.getString("model_type", "bert");
        if (!type.equals("bert")) throw new ConfigException("model_type in " + where + " is '" + type + "'; only 'bert' is supported");
        String act = c.getString("hidden_act", "gelu");
        if (!act.equals("gelu")) throw new ConfigException("hidden_act in " + where + " is '" + act + "'; Bert implements exact (erf) 'gelu' only");
        String pos = c.getString("position_embedding_type", "absolute");
        if (!pos.equals("absolute")) {
            throw new ConfigException("position_embedding_type in " + where + " is '" + pos + "'; Bert implements 'absolute' only");
        }
        return read(c);
    }

    /** Reads a Hugging Face config.json file (see {@link #fromHuggingFace(Map, String)}); problems name the file. */
    public static BertConfig fromHuggingFace(Path file) throws IOException {
        try {
            Map<String, Object> json = new JsonMapper().readValue(file.toFile(), new TypeReference<>() {});
            return fromHuggingFace(json, file.toString());
        } catch (JacksonException e) {
            throw new FileFormatException(file, "is not a JSON object: " + e.getOriginalMessage(), e);
        } catch (ConfigException e) {
            throw new FileFormatException(file, e.getMessage(), e);
        }
    }

    /** This config as a Hugging Face config.json ({@code BertModel}, exact GELU, absolute positions). */
    public Map<String, Object> toHuggingFace() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("BertModel"));
        c.put("model_type", "bert");
        c.put("hidden_act", "gelu");
        c.put("position_embedding_type", "absolute");
        c.putAll(toMap());
        c.remove("type");
        c.put("attention_probs_dropout_prob", hiddenDropoutProb);
        return c;
    }

    private static BertConfig read(Config c) {
        try {
            return new BertConfig(c.getInt("vocab_size"), c.getInt("hidden_size"), c.getInt("num_hidden_layers"),
                    c.getInt("num_attention_heads"), c.getInt("intermediate_size"), c.getInt("max_position_embeddings", 512),
                    c.getInt("type_vocab_size", 2), c.getFloat("layer_norm_eps", 1e-12f), c.getFloat("hidden_dropout_prob", 0.1f));
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid BERT config in " + c.where() + " (keys " + Arrays.toString(KEYS) + "): " + e.getMessage());
        }
    }
}
