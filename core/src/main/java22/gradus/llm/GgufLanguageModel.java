package gradus.llm;

import gradus.files.FileFormatException;
import gradus.io.gguf.GgufFile;
import gradus.models.GenerationConfig;
import gradus.models.Sampler;
import gradus.tensor.Rng;
import gradus.text.ChatTemplate;
import gradus.text.GgufTokenizer;
import gradus.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * A GGUF Llama or GPT-2 with the tokenizer and chat template of its metadata. The KV cache of the last call is kept: a
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
        this.decoder = decoder;
        GgufFile gguf = decoder.gguf();
        this.tokenizer = GgufTokenizer.of(gguf);
        if (tokenizer.vocabSize() > decoder.vocab()) {
            throw new FileFormatException(gguf.path(), "metadata tokenizer.ggml.tokens: " + tokenizer.vocabSize()
                    + " tokens, more than the " + decoder.vocab() + " rows of token_embd.weight");
        }
        String source = gguf.getString("tokenizer.chat_template", null);
        this.template = source == null ? null : new ChatTemplate(source, token(tokenizer.bosId()), token(tokenizer.eosId()));
        Set<Integer> stopIds = new LinkedHashSet<>();
        if (tokenizer.eosId() >= 0) stopIds.add(tokenizer.eosId());
        for (String key : new String[] {"tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
            if (gguf.metadata().containsKey(key)) stopIds.add(gguf.getInt(key));
        }
        for (String t : END_OF_TURN) if (tokenizer.tokenToId(t) >= 0) stopIds.add(tokenizer.tokenToId(t));
        this.stops = stopIds.stream().mapToInt(Integer::intValue).toArray();
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
