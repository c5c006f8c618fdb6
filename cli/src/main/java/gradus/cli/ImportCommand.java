package gradus.cli;

import gradus.io.ModelDirectory;
import gradus.models.Bert;
import gradus.models.BertConfig;
import gradus.models.BertWeights;
import gradus.models.SentenceEmbedder;
import gradus.models.SentencePooling;
import gradus.text.Tokenizer;
import gradus.text.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "import", description = {"Turn a pretrained BERT-family encoder (an ONNX file, or a Hugging Face folder with",
        "config.json and model.safetensors) into a Gradus model directory that trains and embeds."})
final class ImportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "model.onnx, or a Hugging Face folder.")
    Path source;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR", description = "Where to write config.json, model.safetensors and tokenizer.json.")
    Path out;

    @Option(names = "--tokenizer", paramLabel = "tokenizer.json", description = "The model's tokenizer (default: tokenizer.json beside FILE or in the folder).")
    Path tokenizer;

    @Option(names = "--config", paramLabel = "config.json", description = "A Hugging Face config.json for an ONNX file (default: read from the graph).")
    Path config;

    @Option(names = "--pooling", defaultValue = "mean", description = "Sentence pooling for `gradus embed`: mean or cls (default ${DEFAULT-VALUE}).")
    String pooling;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(source)) throw new NoSuchFileException(source.toString(), null, "no such ONNX file or Hugging Face folder");
        boolean folder = Files.isDirectory(source);
        if (folder && config != null) throw new IllegalArgumentException("--config is for ONNX files; a Hugging Face folder has its own config.json");
        SentencePooling pool = SentencePooling.parse(pooling);
        Bert bert = folder ? BertWeights.fromHuggingFace(source)
                : BertWeights.fromOnnx(source, config == null ? null : BertConfig.fromHuggingFace(config));
        Path tokenizerFile = tokenizer != null ? tokenizer : (folder ? source : source.toAbsolutePath().getParent()).resolve("tokenizer.json");
        Files.createDirectories(out);
        if (Files.isRegularFile(tokenizerFile)) {
            Tokenizer tok = Tokenizers.load(tokenizerFile);
            if (tok.vocabSize() > bert.bertConfig().vocabSize()) {
                throw new IllegalArgumentException(tokenizerFile + " has " + tok.vocabSize() + " tokens but the model embeds only "
                        + bert.bertConfig().vocabSize() + "; is it the model's tokenizer?");
            }
            new SentenceEmbedder(bert, tok, pool, true).save(out);
        } else if (tokenizer != null) {
            throw new NoSuchFileException(tokenizer.toString(), null, "tokenizer file not found");
        } else {
            ModelDirectory.save(out, bert, Map.of(SentenceEmbedder.POOLING_KEY, pool.key(), SentenceEmbedder.NORMALIZE_KEY, true));
            System.err.println("warning: no tokenizer.json found beside " + source + "; pass --tokenizer, or `gradus embed` cannot run");
        }
        BertConfig c = bert.bertConfig();
        System.out.printf(Locale.ROOT, "Imported BERT (%d layers, hidden %d, %d heads, vocabulary %d, %,d parameters) from %s into %s%n",
                c.numHiddenLayers(), c.hiddenSize(), c.numAttentionHeads(), c.vocabSize(), bert.parameterCount(), source, out);
        return 0;
    }
}
