package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.io.onnx.Onnx;
import gradus.models.Bert;
import gradus.models.BertConfig;
import gradus.models.BertWeights;
import gradus.models.SentenceEmbedder;
import gradus.models.SentencePooling;
import gradus.models.SentenceTransformerSettings;
import gradus.text.Tokenizer;
import gradus.text.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "import", description = {"Turn a pretrained BERT-family encoder (an ONNX file, or a Hugging Face folder with",
        "config.json and model.safetensors) into a Gradus model directory that trains and embeds; an ONNX feature model",
        "with one float input (an MLP or CNN, as `gradus export` writes them) becomes native layers with its card."})
final class ImportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "model.onnx, or a Hugging Face folder.")
    Path source;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR", description = "Where to write config.json, model.safetensors and tokenizer.json.")
    Path out;

    @Option(names = "--tokenizer", paramLabel = "tokenizer.json", description = "The model's tokenizer (default: tokenizer.json, "
            + "or the one *tokenizer*.json file, beside FILE or in the folder).")
    Path tokenizer;

    @Option(names = "--no-tokenizer", description = "Import the weights without a tokenizer (`gradus embed` then cannot run).")
    boolean noTokenizer;

    @Option(names = "--config", paramLabel = "config.json", description = "A Hugging Face config.json for an ONNX file (default: read from the graph).")
    Path config;

    @Option(names = "--pooling", description = "Sentence pooling for `gradus embed`: mean or cls (default: what the folder's "
            + "sentence-transformers modules.json and 1_Pooling/config.json say, else mean).")
    String pooling;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(source)) throw new NoSuchFileException(source.toString(), null, "no such ONNX file or Hugging Face folder");
        boolean folder = Files.isDirectory(source);
        if (folder && config != null) throw new IllegalArgumentException("--config is for ONNX files; a Hugging Face folder has its own config.json");
        if (noTokenizer && tokenizer != null) throw new IllegalArgumentException("--tokenizer and --no-tokenizer contradict each other");
        if (!folder && Onnx.takesOneFloatInput(source)) return importLayers();
        Path home = folder ? source : source.toAbsolutePath().getParent();
        var settings = SentenceTransformerSettings.read(home);
        SentencePooling pool = pooling != null ? SentencePooling.parse(pooling) : settings.map(SentenceTransformerSettings::pooling).orElse(SentencePooling.MEAN);
        boolean normalize = settings.map(SentenceTransformerSettings::normalize).orElse(true);
        Path tokenizerFile = noTokenizer ? null : tokenizer != null ? tokenizer : findTokenizer(home);
        if (tokenizerFile != null && !Files.isRegularFile(tokenizerFile)) throw new NoSuchFileException(tokenizerFile.toString(), null, "tokenizer file not found");
        Bert bert = folder ? BertWeights.fromHuggingFace(source)
                : BertWeights.fromOnnx(source, config == null ? null : BertConfig.fromHuggingFace(config));
        Files.createDirectories(out);
        if (tokenizerFile != null) {
            Tokenizer tok = Tokenizers.load(tokenizerFile);
            if (tok.vocabSize() > bert.bertConfig().vocabSize()) {
                throw new IllegalArgumentException(tokenizerFile + " has " + tok.vocabSize() + " tokens but the model embeds only "
                        + bert.bertConfig().vocabSize() + "; is it the model's tokenizer?");
            }
            new SentenceEmbedder(bert, tok, pool, normalize).save(out);
        } else {
            ModelDirectory.save(out, bert, Map.of(SentenceEmbedder.POOLING_KEY, pool.key(), SentenceEmbedder.NORMALIZE_KEY, normalize));
            System.err.println("warning: imported without a tokenizer; `gradus embed` needs one (import again with --tokenizer)");
        }
        BertConfig c = bert.bertConfig();
        System.out.printf(Locale.ROOT, "Imported BERT (%d layers, hidden %d, %d heads, vocabulary %d, %,d parameters) from %s into %s%n",
                c.numHiddenLayers(), c.hiddenSize(), c.numAttentionHeads(), c.vocabSize(), bert.parameterCount(), source, out);
        if (tokenizerFile != null) System.out.println("tokenizer: " + tokenizerFile);
        String why = pooling != null ? "--pooling" : settings.map(st -> "from " + st.source()).orElse(
                "the default: no sentence-transformers modules.json in " + home + "; [CLS] models such as bge need --pooling cls");
        System.out.println("pooling: " + pool.key() + (normalize ? ", L2-normalized" : "") + " (" + why + ")");
        return 0;
    }

    /** A feature model (one float input, such as an MLP or CNN that Gradus exported): rebuilt as native layers with its card. */
    private int importLayers() throws IOException {
        if (tokenizer != null || noTokenizer || config != null || pooling != null) {
            throw new IllegalArgumentException(source + " takes one float input (a feature model, not a text encoder): "
                    + "--tokenizer, --no-tokenizer, --config and --pooling do not apply");
        }
        var imported = Onnx.importLayers(source);
        ModelDirectory.save(out, imported.model(), imported.card());
        System.out.printf(Locale.ROOT, "Imported %d layers (%,d parameters, input %s%s) from %s into %s%n",
                imported.model().children().size(), imported.model().parameterCount(), imported.card().get("input_shape"),
                imported.card().containsKey("preprocessing") ? ", with its input scaler" : "", source, out);
        return 0;
    }

    /** tokenizer.json in {@code dir}, else its one file named like *tokenizer*.json (a jar's naming); refuses when there is none. */
    private static Path findTokenizer(Path dir) throws IOException {
        Path standard = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(standard)) return standard;
        List<Path> named;
        try (var files = Files.list(dir)) {
            named = files.filter(f -> {
                String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".json") && n.contains("tokenizer") && !n.contains("tokenizer_config") && Files.isRegularFile(f);
            }).sorted().toList();
        }
        if (named.size() == 1) return named.get(0);
        throw new IllegalArgumentException((named.isEmpty() ? "no tokenizer.json or *tokenizer*.json in " + dir
                : "several tokenizer files in " + dir + " " + named.stream().map(f -> f.getFileName().toString()).toList())
                + ": pass --tokenizer FILE, or --no-tokenizer to import the weights alone");
    }
}
