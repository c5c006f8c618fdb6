package gradus.serve.text;

import gradus.explain.ExplainRequest;
import gradus.explain.Explanations;
import gradus.inference.Predictor;
import gradus.data.TensorDataset;
import gradus.data.datasets.TextData;
import gradus.data.datasets.TextEncoding;
import gradus.files.FileFormatException;
import gradus.io.ModelDirectory;
import gradus.io.ModelEncryption;
import gradus.io.ModelProtection;
import gradus.llm.Gguf;
import gradus.llm.LanguageModel;
import gradus.models.Bert;
import gradus.models.GenerationConfig;
import gradus.models.Gpt;
import gradus.models.SentenceEmbedder;
import gradus.nn.Module;
import gradus.serve.ApiException;
import gradus.serve.LoadFailure;
import gradus.tensor.Tensor;
import gradus.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Text models saved by Gradus (a model directory with a {@code tokenizer.json}) behind the server's
 * text interfaces: a {@link Gpt} generates, a BERT encoder embeds ({@code /v1/embeddings}), a
 * classifier over token ids classifies. Each model
 * directory is {@code DIR/name/} or {@code DIR/name/version/} (the highest version is served). Large language models
 * are {@code DIR/name.gguf} files and Hugging Face folders {@code DIR/name/} (config.json with a model_type), served by
 * {@link LanguageModelGenerator}.
 */
public final class SavedTextModels {
    private static final Logger LOG = Logger.getLogger(SavedTextModels.class.getName());

    private SavedTextModels() {}

    /** Registers every text model under {@code modelsDir} in {@code into}; a model that fails to load is logged and skipped. */
    public static TextModels load(Path modelsDir, TextModels into) throws IOException {
        return load(modelsDir, into, ModelProtection.NONE);
    }

    /** As {@link #load(Path, TextModels)}, loading only models that {@code protection} allows (signed by a trusted key). */
    public static TextModels load(Path modelsDir, TextModels into, ModelProtection protection) throws IOException {
        if (modelsDir == null || !Files.isDirectory(modelsDir)) return into;
        try (Stream<Path> names = Files.list(modelsDir)) {
            for (Path entry : names.sorted().toList()) {
                boolean languageModel = LanguageModel.isLanguageModel(entry);
                Path model = languageModel ? entry : Files.isDirectory(entry) ? latest(entry) : null;
                if (model == null) continue;
                String file = entry.getFileName().toString();
                String name = Gguf.isGgufFile(entry) ? file.substring(0, file.length() - ".gguf".length()) : file;
                try {
                    if (languageModel) registerLanguageModel(name, model, into);
                    else register(name, model, into, protection);
                } catch (Throwable t) { // one model's failure, even an OutOfMemoryError, must not stop the others loading
                    LOG.log(Level.WARNING, "cannot load text model " + name + " from " + model + ": " + LoadFailure.reason(t), t);
                    if (t instanceof Error err && LoadFailure.isFatal(err)) throw err;
                }
            }
        }
        return into;
    }

    /**
     * Registers a GGUF file or a Hugging Face folder ({@link LanguageModel#open}) as the generator {@code name}, once
     * one greedy token has been generated from a short text (a model that cannot answer is not offered).
     */
    public static void registerLanguageModel(String name, Path path, TextModels into) throws IOException {
        LanguageModel model = LanguageModel.open(path);
        LanguageModelGenerator g = new LanguageModelGenerator(name, model);
        try {
            dryRun(path, () -> g.generate(DRY_RUN_TEXT, new GenerationParams(1, 0, 1, List.of(), 0L), text -> {}));
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
        into.generator(name, g);
        LOG.info(() -> "loaded language model " + name + " from " + path + " (context " + model.contextLength() + " tokens)");
    }

    /** Loads a text model and registers it once a short text has gone through it (a model that cannot answer is not offered). */
    private static void register(String name, Path dir, TextModels into, ModelProtection protection) throws IOException {
        if (protection.key() != null && ModelEncryption.isEncrypted(dir.resolve(ModelDirectory.CONFIG_FILE))) {
            // the tokenizer and embedder read their files apart from the model: all of them come from one decrypted copy
            var plain = ModelEncryption.decryptedCopy(dir, protection.key());
            try (plain) {
                register(name, plain.dir(), into, new ModelProtection(protection.trustedKeys(), null));
            } catch (FileFormatException e) {
                throw plain.relabel(e);
            }
            return;
        }
        var loaded = ModelDirectory.load(dir, protection);
        Tokenizer tokenizer = ModelDirectory.tokenizer(dir);
        if (loaded.model() instanceof Bert) {
            SentenceEmbedder embedder = SentenceEmbedder.load(dir);
            TextEmbedder e = new TextEmbedder() {
                @Override
                public float[][] embed(List<String> texts) {
                    return embedder.embed(texts);
                }

                @Override
                public float[][] embedTokens(List<int[]> ids) {
                    try {
                        return embedder.embedIds(ids);
                    } catch (IllegalArgumentException e) { // an id outside the vocabulary: the client's mistake
                        throw ApiException.badRequest(e.getMessage());
                    }
                }

                @Override
                public int countTokens(String text) {
                    return embedder.countTokens(text);
                }
            };
            dryRun(dir, () -> e.embed(List.of(DRY_RUN_TEXT)));
            into.embedder(name, e);
        } else if (loaded.model() instanceof Gpt gpt) {
            TextGenerator g = new GptGenerator(new gradus.models.TextGenerator(gpt, tokenizer));
            dryRun(dir, () -> g.generate(DRY_RUN_TEXT, new GenerationParams(1, 0, 1, List.of(), 0L), text -> {}));
            into.generator(name, g);
        } else if (loaded.card().isClassification()) {
            TextClassifier c = new IdsClassifier(Predictor.of(loaded.model(), loaded.card(), tokenizer));
            dryRun(dir, () -> c.classify(DRY_RUN_TEXT));
            into.classifier(name, c);
        } else {
            throw new IllegalArgumentException("a " + loaded.model().getClass().getSimpleName() + " with task " + loaded.card().task()
                    + " is not a text model the server can serve");
        }
        LOG.info(() -> "loaded text model " + name + " from " + dir);
    }

    /** A short text through the model's real path: tokenizer, encoding, model, output. */
    private static final String DRY_RUN_TEXT = "Hello, world.";

    private static void dryRun(Path dir, Runnable run) {
        try {
            run.run();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(dir + ": the dry run on the text '" + DRY_RUN_TEXT + "' failed: " + LoadFailure.reason(e), e);
        }
    }

    /** {@code dir} itself when it holds a text model, else its highest-numbered version that does. */
    private static Path latest(Path dir) throws IOException {
        if (isTextModel(dir)) return dir;
        try (Stream<Path> versions = Files.list(dir)) {
            return versions.filter(SavedTextModels::isTextModel)
                    .max((a, b) -> compareVersions(a.getFileName().toString(), b.getFileName().toString())).orElse(null);
        }
    }

    private static int compareVersions(String a, String b) {
        boolean na = a.matches("\\d{1,9}"), nb = b.matches("\\d{1,9}");
        return na && nb ? Integer.compare(Integer.parseInt(a), Integer.parseInt(b)) : a.compareTo(b);
    }

    private static boolean isTextModel(Path dir) {
        return Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG_FILE)) && Files.isRegularFile(dir.resolve(ModelDirectory.TOKENIZER_FILE));
    }

    /** A GPT behind the OpenAI endpoints; one generation at a time per model (a generation uses both cores). */
    static final class GptGenerator implements TextGenerator {
        private final gradus.models.TextGenerator generator;

        GptGenerator(gradus.models.TextGenerator generator) {
            this.generator = generator;
        }

        @Override
        public synchronized Generation generate(String prompt, GenerationParams params, Consumer<String> onText) {
            boolean greedy = params.temperature() <= 0;
            GenerationConfig config = GenerationConfig.builder().maxNewTokens(params.maxTokens()).greedy(greedy)
                    .temperature(greedy ? 1f : (float) params.temperature()).topP((float) params.topP()).topK(params.topK())
                    .stopSequences(params.stop() == null ? List.of() : params.stop())
                    .seed(params.seed() != null ? params.seed() : ThreadLocalRandom.current().nextLong()).build();
            gradus.models.TextGenerator.Result r;
            try {
                r = generator.generate(prompt, config, onText);
            } catch (IllegalArgumentException e) { // an empty prompt: the client's mistake, not the server's
                throw ApiException.badRequest(e.getMessage());
            }
            return new Generation(r.text(), r.promptTokens(), r.completionTokens(), r.finishReason());
        }

        @Override
        public int countTokens(String text) {
            return generator.tokenizer().encode(text).length;
        }
    }

    /** A classifier over padded token ids (LstmClassifier, TransformerClassifier): text → class probabilities. */
    static final class IdsClassifier implements TextClassifier {
        private final Predictor predictor;

        IdsClassifier(Predictor predictor) {
            this.predictor = predictor;
        }

        @Override
        public synchronized Map<String, Float> classify(String text) {
            float[] p = predictor.probabilities(predictor.forward(predictor.encodeTexts(List.of(text))).toArray(), 1);
            Map<String, Float> out = new LinkedHashMap<>();
            for (int i = 0; i < p.length; i++) out.put(predictor.card().className(i), p[i]);
            return out;
        }

        @Override
        public synchronized Map<String, Object> explain(String text, ExplainRequest request) { // one at a time: explaining toggles requiresGrad
            Map<String, Object> out = Explanations.explainText(predictor, text, request);
            out.put("class", predictor.card().className((Integer) out.get("target")));
            return out;
        }
    }
}
