package gradus.models;

import gradus.config.Default;

/**
 * Sizes of a {@link Seq2SeqTransformer}. As a map (config.json, YAML) the keys are snake_case:
 * {@code vocab_size}, {@code source_length} (longest source, also the length sources are padded to in
 * a batch), {@code target_length} (longest decoder input, so the longest output), {@code width},
 * {@code heads}, {@code encoder_layers}, {@code decoder_layers}, {@code hidden} (MLP size, 0 for 4·width),
 * {@code dropout}, and the special ids: {@code pad_id} (ignored in source and loss), {@code bos_id} (the
 * decoder's start token; T5 uses the pad id) and {@code eos_id} (ends an output; -1: the last id).
 */
public record Seq2SeqConfig(int vocabSize, @Default("128") int sourceLength, @Default("32") int targetLength,
                            @Default("64") int width, @Default("4") int heads, @Default("2") int encoderLayers,
                            @Default("2") int decoderLayers, @Default("0") int hidden, @Default("0.1") float dropout,
                            @Default("0") int padId, @Default("0") int bosId, @Default("-1") int eosId) {
    public Seq2SeqConfig {
        if (vocabSize <= 1 || sourceLength <= 0 || targetLength <= 0 || width <= 0 || heads <= 0 || encoderLayers <= 0
                || decoderLayers <= 0 || hidden < 0) {
            throw new IllegalArgumentException("seq2seq sizes must be positive (vocab_size > 1), got " + this);
        }
        if (width % heads != 0) throw new IllegalArgumentException("seq2seq width " + width + " must be divisible by heads " + heads);
        if (dropout < 0f || dropout >= 1f) throw new IllegalArgumentException("seq2seq dropout must be in [0, 1), got " + dropout);
        if (eosId == -1) eosId = vocabSize - 1;
        for (int id : new int[]{padId, bosId, eosId}) {
            if (id < 0 || id >= vocabSize) throw new IllegalArgumentException("seq2seq special ids must be in [0, " + vocabSize + "), got pad "
                    + padId + ", bos " + bosId + ", eos " + eosId);
        }
        if (eosId == padId) throw new IllegalArgumentException("seq2seq eos_id must differ from pad_id, both are " + padId);
    }

    /** Dropout 0.1, hidden 4·width, pad and BOS id 0, EOS the last id. */
    public static Seq2SeqConfig of(int vocabSize, int sourceLength, int targetLength, int width, int heads, int layers) {
        return new Seq2SeqConfig(vocabSize, sourceLength, targetLength, width, heads, layers, layers, 0, 0.1f, 0, 0, -1);
    }

    public Seq2SeqConfig withDropout(float p) {
        return new Seq2SeqConfig(vocabSize, sourceLength, targetLength, width, heads, encoderLayers, decoderLayers, hidden, p, padId, bosId, eosId);
    }

    /** The MLP's hidden size. */
    public int mlpHidden() {
        return hidden == 0 ? 4 * width : hidden;
    }
}
