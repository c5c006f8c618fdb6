package gradus.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.files.FileFormatException;
import gradus.io.gguf.GgufFile;
import gradus.models.GenerationConfig;
import gradus.models.Sampler;
import gradus.tensor.Rng;
import gradus.text.ChatTemplate;
import gradus.text.GgufTokenizer;
import gradus.text.Tokenizer;
import gradus.text.Tokenizers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * A GGUF Llama or GPT-2 with the tokenizer and chat template of its metadata, or a Hugging Face folder with its
 * tokenizer.json, tokenizer_config.json and generation_config.json ({@link #openFolder}). The KV cache of the last call is kept: a
 * prompt that extends the previous prompt and completion (the next turn of a chat) only feeds the new tokens.
 */
public final class GgufLanguageModel implements LanguageModel {
    /** End-of-turn tokens llama.cpp also stops at, by their text, when the file names no EOT id. */
    private static final Set<String> END_OF_TURN = Set.of("<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>", "<|endoftext|>",
            "<|end_of_text|>", "<end_of_turn>", "</s>");

    private final DecoderModel decoder;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final int[] stops;
    private DecoderModel.Sequence session;
    private int[] sessionTokens = new int[0];

    private GgufLanguageModel(DecoderModel decoder) throws IOException {
        this(decoder, GgufTokenizer.of(decoder.gguf()), decoder.gguf().getString("tokenizer.chat_template", null), ggufStops(decoder.gguf()),
                decoder.gguf().path());
    }

    /** {@code stops} are ids named by the file (EOS, EOT); the tokenizer's EOS and the known end-of-turn texts are added. */
    private GgufLanguageModel(DecoderModel decoder, Tokenizer tokenizer, String templateSource, Set<Integer> stops, Path source)
            throws IOException {
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        if (tokenizer.vocabSize() > decoder.vocab()) {
            throw new FileFormatException(source, "tokenizer: " + tokenizer.vocabSize() + " tokens, more than the "
                    + decoder.vocab() + " rows of the token embedding");
        }
        this.template = templateSource == null ? null : new ChatTemplate(templateSource, token(tokenizer.bosId()), token(tokenizer.eosId()));
        Set<Integer> stopIds = new LinkedHashSet<>();
        if (tokenizer.eosId() >= 0) stopIds.add(tokenizer.eosId());
        stopIds.addAll(stops);
        for (String t : END_OF_TURN) if (tokenizer.tokenToId(t) >= 0) stopIds.add(tokenizer.tokenToId(t));
        this.stops = stopIds.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Set<Integer> ggufStops(GgufFile gguf) throws FileFormatException {
        Set<Integer> ids = new LinkedHashSet<>();
        for (String key : new String[] {"tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
            if (gguf.metadata().containsKey(key)) ids.add(gguf.getInt(key));
        }
        return ids;
    }

    /**
     * A Hugging Face folder ({@link HfCheckpoint}) with its tokenizer.json, the chat_template of tokenizer_config.json
     * and the EOS ids of generation_config.json (one id or a list), the last two optional.
     */
    public static GgufLanguageModel openFolder(Path folder) throws IOException {
        Llama decoder = HfCheckpoint.open(folder);
        try {
            Tokenizer tokenizer = Tokenizers.load(folder.resolve("tokenizer.json"));
            var json = new ObjectMapper();
            Path tokenizerConfig = folder.resolve("tokenizer_config.json"), generation = folder.resolve("generation_config.json");
            String template = null;
            if (java.nio.file.Files.isRegularFile(tokenizerConfig)) {
                var t = json.readTree(tokenizerConfig.toFile()).path("chat_template");
                if (!t.isMissingNode() && !t.isNull()) {
                    if (!t.isTextual()) throw new FileFormatException(tokenizerConfig, "chat_template: only a single template string is supported");
                    template = t.asText();
                }
            }
            Set<Integer> stops = new LinkedHashSet<>();
            if (java.nio.file.Files.isRegularFile(generation)) {
                var eos = json.readTree(generation.toFile()).path("eos_token_id");
                for (var id : eos.isArray() ? eos : java.util.List.of(eos)) {
                    if (id.isMissingNode() || id.isNull()) continue;
                    if (!id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= decoder.vocab()) {
                        throw new FileFormatException(generation, "eos_token_id: " + id + " is not a token id below " + decoder.vocab());
                    }
                    stops.add(id.asInt());
                }
            }
            return new GgufLanguageModel(decoder, tokenizer, template, stops, folder);
        } catch (IOException | RuntimeException e) {
            decoder.close();
            throw e;
        }
    }

    public static GgufLanguageModel open(Path file) throws IOException {
        DecoderModel decoder = DecoderModel.open(file);
        try {
            return new GgufLanguageModel(decoder);
        } catch (IOException | RuntimeException e) {
            decoder.close();
            throw e;
        }
    }

    private String token(int id) {
        return id < 0 ? "" : tokenizer.idToToken(id);
    }

    public DecoderModel decoder() {
        return decoder;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public ChatTemplate chatTemplate() {
        return template;
    }

    @Override
    public int contextLength() {
        return decoder.contextLength();
    }

    @Override
    public int[] stopTokens() {
        return stops.clone();
    }

    @Override
    public synchronized Completion complete(int[] prompt, GenerationConfig config, IntPredicate onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        int context = contextLength();
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the model's context holds " + context);
        }
        for (int t : prompt) {
            if (t < 0 || t >= decoder.vocab()) throw new IllegalArgumentException("token id " + t + " is outside the vocabulary of " + decoder.vocab());
        }
        try {
            return generate(prompt, config, onToken, context);
        } catch (RuntimeException | Error e) { // onToken gave up (a client went away) or a step failed: the cache no longer matches
            session = null;
            sessionTokens = new int[0];
            throw e;
        }
    }

    private Completion generate(int[] prompt, GenerationConfig config, IntPredicate onToken, int context) {
        int needed = Math.min(context, prompt.length + config.maxNewTokens());
        long start = System.nanoTime();
        int reuse = sharedPrefix(prompt);
        if (session == null || reuse == 0 || reuse < sessionTokens.length || session.capacity() < needed) {
            // The cache cannot be rewound: a prompt that does not extend the cached tokens starts a new sequence.
            session = decoder.newSequence(Math.min(context, Math.max(needed, 2 * prompt.length)));
            sessionTokens = new int[0];
            reuse = 0;
        }
        float[] logits = null;
        for (int i = reuse; i < prompt.length; i++) logits = decoder.forward(session, prompt[i]);
        if (logits == null) { // the whole prompt was cached: its last token is fed again in a fresh sequence
            session = decoder.newSequence(session.capacity());
            for (int t : prompt) logits = decoder.forward(session, t);
        }
        long promptDone = System.nanoTime();
        Sampler sampler = new Sampler(config, new Rng(config.seed()));
        boolean[] seen = new boolean[decoder.vocab()];
        for (int t : prompt) seen[t] = true;
        int[] out = new int[config.maxNewTokens()];
        int n = 0;
        String finish = "length";
        while (n < config.maxNewTokens()) {
            int next = sampler.next(logits, seen);
            if (isStop(next) || config.stopTokens().contains(next)) {
                finish = "stop";
                break;
            }
            out[n++] = next;
            seen[next] = true;
            if (!onToken.test(next)) {
                finish = "stop";
                break;
            }
            if (session.position() >= session.capacity()) break;
            if (n < config.maxNewTokens()) logits = decoder.forward(session, next);
        }
        int[] generated = Arrays.copyOf(out, n);
        sessionTokens = Arrays.copyOf(concat(prompt, generated), session.position()); // what the cache holds
        return new Completion(generated, finish, promptDone - start, System.nanoTime() - promptDone);
    }

    private boolean isStop(int token) {
        for (int s : stops) if (s == token) return true;
        return false;
    }

    private int sharedPrefix(int[] prompt) {
        if (session == null || sessionTokens.length > prompt.length) return 0;
        for (int i = 0; i < sessionTokens.length; i++) if (sessionTokens[i] != prompt[i]) return 0;
        return sessionTokens.length;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public void close() {
        decoder.close();
    }
}
