package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.TensorDataset;
import gradus.data.datasets.Datasets;
import gradus.data.datasets.TextData;
import gradus.inference.Predictor;
import gradus.io.ModelCard;
import gradus.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "predict", description = {"Run a saved model on inputs. Each INPUT is one of:",
        "  an image file (PNG/JPEG/BMP/GIF), resized to the model's input",
        "  comma-separated feature values, e.g. 0.1,3.5,2",
        "  a dataset example, SPEC#INDEX, e.g. fashion-mnist-sample:test#0",
        "A text classifier (a model with tokenizer.json) takes --text, text files and text examples",
        "(results list the INPUTs first, then the --text values)",
        "such as spam-assassin-sample:test#0."})
final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_DIR")
    Path modelDir;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "INPUT")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--text", paramLabel = "TEXT", description = "A text to classify (text classifiers; repeatable).")
    List<String> texts = new ArrayList<>();

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--top", defaultValue = "3", description = "Classes shown per input (default 3).")
    int top;

    @Option(names = "--invert", description = "Invert image brightness (dark drawing on light paper → MNIST style).")
    boolean invert;

    @Mixin DataDirOption dataDir;

    @Override
    public Integer call() throws Exception {
        if (inputs.isEmpty() && texts.isEmpty()) throw new IllegalArgumentException("nothing to predict: give an INPUT or --text");
        Predictor predictor = Predictor.load(modelDir);
        ModelCard card = predictor.card();
        boolean textModel = predictor.tokenizer() != null;
        if (textModel && card.isLanguageModel()) {
            throw new IllegalArgumentException(modelDir + " is a language model: use `gradus generate " + modelDir + " --prompt …`");
        }
        if (!textModel && !texts.isEmpty()) {
            throw new IllegalArgumentException("--text needs a text classifier (a model directory with tokenizer.json); "
                    + modelDir + " takes inputs of shape " + Arrays.toString(card.inputShape()));
        }
        List<Map<String, Object>> results = new ArrayList<>();
        List<String> all = new ArrayList<>(inputs);
        all.addAll(texts);
        for (int i = 0; i < all.size(); i++) {
            String input = all.get(i);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("input", input);
            Tensor out;
            if (textModel) {
                String text = i < inputs.size() ? textOf(input, card, r) : input;
                out = predictor.forward(predictor.encodeTexts(List.of(text)));
            } else {
                out = run(predictor, input, r);
            }
            describe(predictor, out.toArray(), r);
            results.add(r);
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(Map.of("predictions", results)));
        } else {
            for (Map<String, Object> r : results) print(r);
        }
        return 0;
    }

    /** A feature INPUT: a dataset example (SPEC#INDEX, its label or target kept as "actual"), an image file or numbers. */
    private Tensor run(Predictor predictor, String input, Map<String, Object> r) throws Exception {
        return predictor.forwardPreprocessed(input(predictor, input, r));
    }

    /** A feature INPUT as the network sees it: one row [1, ...input_shape], preprocessed by the card. */
    Tensor input(Predictor predictor, String input, Map<String, Object> r) throws Exception {
        ModelCard card = predictor.card();
        int hash = input.lastIndexOf('#');
        if (hash > 0 && input.contains(":")) {
            // opened with the card's scaler, unless the split comes scaled with its own training statistics
            TensorDataset ds = Datasets.openFor(input.substring(0, hash), dataDir.dir, card.classNames(), card.scaler());
            int index = index(input, hash, ds.size());
            var b = ds.get(new int[]{index});
            if (b.labels() != null) r.put("actual", card.className(b.labels().data()[0]));
            else r.put("actual", b.targets().toArray()[0]);
            return b.x();
        }
        Path p = Path.of(input);
        Tensor x = Files.isRegularFile(p) ? predictor.decodeImage(p, invert) : predictor.decodeCsv(input);
        return card.preprocess(x.unsqueeze(0));
    }

    /** A text INPUT: a text data set example (SPEC#INDEX, its label kept as "actual") or a text file. */
    String textOf(String input, ModelCard card, Map<String, Object> r) throws Exception {
        int hash = input.lastIndexOf('#');
        if (hash > 0 && TextData.isText(input.substring(0, hash))) {
            if (!(TextData.open(input.substring(0, hash), dataDir.dir) instanceof TextData.Documents docs)) {
                throw new IllegalArgumentException(input + ": a running text, not labelled documents");
            }
            int index = index(input, hash, docs.size());
            r.put("actual", card.className(docs.labels()[index]));
            return docs.texts().get(index);
        }
        Path p = Path.of(input);
        if (Files.isRegularFile(p)) return Files.readString(p);
        throw new IllegalArgumentException("input '" + input + "' is neither a text file nor a text example (SPEC#INDEX, e.g. "
                + "spam-assassin-sample:test#0); give a text itself with --text");
    }

    private static int index(String input, int hash, int size) {
        int index;
        try {
            index = Integer.parseInt(input.substring(hash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(input + ": the index after '#' is not a number");
        }
        if (index < 0 || index >= size) throw new IllegalArgumentException(input + ": index out of range 0.." + (size - 1));
        return index;
    }

    /** The answer for one example's outputs: the top classes with their probabilities, or the values themselves. */
    private void describe(Predictor predictor, float[] out, Map<String, Object> r) {
        if (!predictor.card().isClassification()) {
            r.put("prediction", out.length == 1 ? out[0] : out);
            return;
        }
        float[] probs = predictor.probabilities(out, 1);
        var ranked = predictor.topK(probs, 0, probs.length, Math.max(1, top));
        r.put("class", ranked.get(0).label());
        r.put("index", ranked.get(0).index());
        Map<String, Float> topk = new LinkedHashMap<>();
        for (var c : ranked.subList(0, Math.max(0, Math.min(top, ranked.size())))) topk.put(c.label(), c.probability());
        r.put("probabilities", topk);
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> r) {
        String input = String.valueOf(r.get("input")).replaceAll("\\s+", " ");
        StringBuilder sb = new StringBuilder(input.length() > 60 ? input.substring(0, 59) + "…" : input);
        if (r.containsKey("class")) {
            sb.append(" → ").append(r.get("class"));
            if (r.containsKey("actual")) sb.append(" (actual: ").append(r.get("actual")).append(')');
            sb.append("  ");
            ((Map<String, Float>) r.get("probabilities")).forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.1f%%", k, v * 100)));
        } else {
            sb.append(" → ").append(r.get("prediction"));
            if (r.containsKey("actual")) sb.append(" (actual: ").append(r.get("actual")).append(')');
        }
        System.out.println(sb);
    }
}
