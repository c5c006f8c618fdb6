package gradus.text;

import gradus.files.AtomicFiles;
import gradus.kernels.Parallel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tokenizer built like Hugging Face's: added tokens are matched first, the rest of the text is normalized,
 * pre-tokenized into pieces and tokenized by the model; a post-processor adds special tokens. Any supported
 * tokenizer.json loads as one ({@link Tokenizers#load}); the Gradus tokenizers are specializations.
 */
public class PipelineTokenizer implements Tokenizer {
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final Model model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final List<AddedToken> addedTokens;
    private final AddedTokenMatcher rawMatcher, normalizedMatcher;
    private final Map<String, AddedToken> addedByContent = new HashMap<>();
    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    private final BatchOptions defaults;
    private final String padToken;
    private final int padTypeId;
    private final int padId, unkId, clsId, sepId, bosId, eosId, vocabSize;

    /** The parts of a pipeline; null normalizer, pre-tokenizer, post-processor or decoder mean "none". */
    record Parts(Normalizer normalizer, PreTokenizer preTokenizer, Model model, PostProcessor postProcessor, Decoder decoder,
                 List<AddedToken> addedTokens, BatchOptions defaults, String padToken, int padTypeId) {}

    /** Asks {@link #PipelineTokenizer(Parts, int, int)} to find BOS/EOS by their conventional names. */
    private static final int BY_NAME = -2;

    PipelineTokenizer(Parts p) {
        this(p, BY_NAME, BY_NAME);
    }

    /** A pipeline whose BOS and EOS ids are known (-1: none), as GGUF files say them. */
    PipelineTokenizer(Parts p, int bos, int eos) {
        normalizer = p.normalizer();
        preTokenizer = p.preTokenizer();
        model = p.model();
        postProcessor = p.postProcessor();
        decoder = p.decoder();
        addedTokens = List.copyOf(p.addedTokens());
        defaults = p.defaults();
        padToken = p.padToken();
        padTypeId = p.padTypeId();
        for (AddedToken t : addedTokens) {
            addedByContent.put(t.content(), t);
            addedById.put(t.id(), t);
        }
        rawMatcher = new AddedTokenMatcher(addedTokens.stream().filter(t -> !t.normalized()).toList());
        normalizedMatcher = new AddedTokenMatcher(normalizedForms(addedTokens, normalizer));
        int max = model.vocab().size() - 1;
        for (AddedToken t : addedTokens) max = Math.max(max, t.id());
        vocabSize = max + 1;
        padId = firstId(padToken, "[PAD]", "<pad>", "<|pad|>");
        unkId = firstId(model.unkToken(), "[UNK]", "<unk>", "<|unk|>");
        clsId = firstId("[CLS]", "<s>", "<cls>");
        sepId = firstId("[SEP]", "</s>", "<sep>");
        bosId = bos != BY_NAME ? bos : firstId("<s>", "<bos>", "<|startoftext|>", "<|begin_of_text|>", "[BOS]");
        eosId = eos != BY_NAME ? eos : firstId("</s>", "<eos>", "<|endoftext|>", "<|end_of_text|>", "[EOS]");
    }

    /** Normalized tokens are looked for in normalized text, so their own text is normalized too ("[Mask]" finds "[mask]"). */
    private static List<AddedToken> normalizedForms(List<AddedToken> tokens, Normalizer normalizer) {
        List<AddedToken> out = new ArrayList<>();
        for (AddedToken t : tokens) {
            if (!t.normalized()) continue;
            String content = normalizer == null ? t.content() : normalizer.apply(t.content());
            if (!content.isEmpty()) out.add(new AddedToken(t.id(), content, t.singleWord(), t.lstrip(), t.rstrip(), true, t.special()));
        }
        return out;
    }

    /** Shares another pipeline's parts: how the specialized tokenizers wrap one read from a file. */
    PipelineTokenizer(PipelineTokenizer other) {
        this(other.parts());
    }

    Parts parts() {
        return new Parts(normalizer, preTokenizer, model, postProcessor, decoder, addedTokens, defaults, padToken, padTypeId);
    }

    /** Special tokens are found by their conventional names, as tokenizer.json does not say which is which. */
    private int firstId(String... names) {
        for (String name : names) {
            if (name != null && tokenToId(name) >= 0) return tokenToId(name);
        }
        return -1;
    }

    Model model() {
        return model;
    }

    public List<AddedToken> addedTokens() {
        return addedTokens;
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        encodeInto(text, out);
        return out.toArray();
    }

    private void encodeInto(String text, IntList out) {
        if (rawMatcher.isEmpty()) {
            encodeSegment(text, out);
            return;
        }
        for (var segment : rawMatcher.split(text)) {
            if (segment.id() >= 0) out.add(segment.id());
            else encodeSegment(segment.text(), out);
        }
    }

    /** Text without raw added tokens: normalize, match normalized added tokens, split, tokenize. */
    private void encodeSegment(String text, IntList out) {
        String normalized = normalizer == null ? text : normalizer.apply(text);
        if (normalizedMatcher.isEmpty()) {
            encodeNormalized(normalized, out);
            return;
        }
        for (var segment : normalizedMatcher.split(normalized)) {
            if (segment.id() >= 0) out.add(segment.id());
            else encodeNormalized(segment.text(), out);
        }
    }

    /** Pre-tokenizes and runs the model; specializations replace it with a faster equivalent. */
    void encodeNormalized(String text, IntList out) {
        if (preTokenizer == null) {
            if (!text.isEmpty()) model.tokenize(text, out);
            return;
        }
        List<String> pieces = new ArrayList<>();
        preTokenizer.split(text, pieces);
        for (String piece : pieces) {
            if (!piece.isEmpty()) model.tokenize(piece, out);
        }
    }

    @Override
    public Encoding encode(String text, boolean addSpecialTokens) {
        return finish(encode(text), addSpecialTokens, 0);
    }

    /** Truncates to {@code maxLength} (0 = no limit), leaving room for the special tokens, then adds them. */
    private Encoding finish(int[] ids, boolean addSpecialTokens, int maxLength) {
        boolean special = addSpecialTokens && postProcessor != null;
        if (maxLength > 0) {
            int room = maxLength - (special ? postProcessor.addedTokens() : 0);
            if (room < 0) throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for the " + postProcessor.addedTokens() + " special tokens");
            if (ids.length > room) ids = Arrays.copyOf(ids, room);
        }
        if (special) return postProcessor.apply(ids);
        int[] ones = new int[ids.length];
        Arrays.fill(ones, 1);
        return new Encoding(ids, new int[ids.length], ones);
    }

    @Override
    public BatchEncoding encodeBatch(List<String> texts, BatchOptions options) {
        int maxLength = options.maxLength();
        if (options.padding() == BatchOptions.Padding.FIXED && (maxLength == 0 || maxLength > options.padLength())) maxLength = options.padLength();
        Encoding[] out = new Encoding[texts.size()];
        int limit = maxLength;
        Parallel.forRange(texts.size(), 8, (from, to) -> {
            for (int i = from; i < to; i++) out[i] = finish(encode(texts.get(i)), options.addSpecialTokens(), limit);
        });
        if (options.padding() == BatchOptions.Padding.NONE) return new BatchEncoding(Arrays.asList(out));
        int length = options.padLength();
        if (options.padding() == BatchOptions.Padding.LONGEST) for (Encoding e : out) length = Math.max(length, e.length());
        int k = options.padToMultipleOf();
        if (k > 0) length = Math.toIntExact((length + k - 1L) / k * k);
        if (padId < 0) throw new IllegalStateException("cannot pad: this tokenizer has no pad token");
        for (int i = 0; i < out.length; i++) out[i] = pad(out[i], length);
        return new BatchEncoding(Arrays.asList(out));
    }

    private Encoding pad(Encoding e, int length) {
        int n = e.length();
        if (n >= length) return e;
        int[] ids = Arrays.copyOf(e.ids(), length), types = Arrays.copyOf(e.typeIds(), length), mask = Arrays.copyOf(e.attentionMask(), length);
        Arrays.fill(ids, n, length, padId);
        Arrays.fill(types, n, length, padTypeId);
        return new Encoding(ids, types, mask);
    }

    @Override
    public BatchOptions batchDefaults() {
        return defaults;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String token = idToToken(id);
            if (token == null) throw new IllegalArgumentException("id " + id + " is not in the vocabulary (size " + vocabSize + ")");
            if (skipSpecialTokens && isSpecial(id)) continue;
            tokens.add(token);
        }
        return decoder == null ? String.join(" ", tokens) : decoder.decode(tokens);
    }

    private boolean isSpecial(int id) {
        AddedToken t = addedById.get(id);
        return (t != null && t.special()) || id == padId;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int tokenToId(String token) {
        AddedToken t = addedByContent.get(token);
        return t != null ? t.id() : model.vocab().id(token);
    }

    @Override
    public String idToToken(int id) {
        AddedToken t = addedById.get(id);
        return t != null ? t.content() : model.vocab().token(id);
    }

    @Override
    public int padId() {
        return padId;
    }

    @Override
    public int unkId() {
        return unkId;
    }

    @Override
    public int clsId() {
        return clsId;
    }

    @Override
    public int sepId() {
        return sepId;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public void save(Path file) throws IOException {
        Object truncation = defaults.maxLength() == 0 ? null
                : Jsons.object("direction", "Right", "max_length", defaults.maxLength(), "strategy", "LongestFirst", "stride", 0);
        Object padding = defaults.padding() == BatchOptions.Padding.NONE ? null : Jsons.object(
                "strategy", defaults.padding() == BatchOptions.Padding.LONGEST ? "BatchLongest" : Jsons.object("Fixed", defaults.padLength()),
                "direction", "Right", "pad_to_multiple_of", defaults.padToMultipleOf() == 0 ? null : defaults.padToMultipleOf(),
                "pad_id", padId, "pad_type_id", padTypeId, "pad_token", padToken);
        Map<String, Object> json = Jsons.object("version", "1.0", "truncation", truncation, "padding", padding,
                "added_tokens", addedTokens.stream().map(AddedToken::toJson).toList(),
                "normalizer", normalizer == null ? null : normalizer.toJson(),
                "pre_tokenizer", preTokenizer == null ? null : preTokenizer.toJson(),
                "post_processor", postProcessor == null ? null : postProcessor.toJson(),
                "decoder", decoder == null ? null : decoder.toJson(),
                "model", model.toJson());
        byte[] bytes = Jsons.PRETTY.writeValueAsBytes(json);
        AtomicFiles.write(file, out -> {
            out.write(bytes);
            out.write('\n');
        });
    }
}
