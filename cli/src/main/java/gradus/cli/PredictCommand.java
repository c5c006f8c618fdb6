package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.datasets.Datasets;
import gradus.data.Images;
import gradus.data.TensorDataset;
import gradus.data.TextEncoding;
import gradus.data.datasets.TextData;
import gradus.io.ModelDirectory;
import gradus.nn.Module;
import gradus.tensor.Tensor;
import gradus.text.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    @Option(names = "--data-dir", paramLabel = "DIR")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        if (inputs.isEmpty() && texts.isEmpty()) throw new IllegalArgumentException("nothing to predict: give an INPUT or --text");
        var loaded = ModelDirectory.load(modelDir);
        Map<String, Object> config = loaded.config();
        Module model = loaded.model().eval();
        boolean textModel = Files.isRegularFile(modelDir.resolve(ModelDirectory.TOKENIZER_FILE));
        if (textModel && "language_model".equals(config.get("task"))) {
            throw new IllegalArgumentException(modelDir + " is a language model: use `gradus generate " + modelDir + " --prompt …`");
        }
        int[] inputShape = intArray(config.get("input_shape"));
        if (!textModel && !texts.isEmpty()) {
            throw new IllegalArgumentException("--text needs a text classifier (a model directory with tokenizer.json); "
                    + modelDir + " takes inputs of shape " + java.util.Arrays.toString(inputShape));
        }
        Tokenizer tokenizer = textModel ? ModelDirectory.tokenizer(modelDir) : null;
        List<Map<String, Object>> results = new ArrayList<>();
        List<String> all = new ArrayList<>(inputs);
        all.addAll(texts);
        for (int i = 0; i < all.size(); i++) {
            String input = all.get(i);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("input", input);
            Tensor out;
            if (textModel) {
                String text = i < inputs.size() ? textOf(input, config, r) : input;
                out = model.predict(tokenIds(text, tokenizer, config));
            } else {
                out = model.predict(toTensor(input, inputShape, config, r).unsqueeze(0));
            }
            describe(out.select(0, 0), config, r);
            results.add(r);
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(Map.of("predictions", results)));
        } else {
            for (Map<String, Object> r : results) print(r);
        }
        return 0;
    }

    Tensor toTensor(String input, int[] shape, Map<String, Object> config, Map<String, Object> r) throws Exception {
        int hash = input.lastIndexOf('#');
        if (hash > 0 && input.contains(":")) {
            TensorDataset ds = Datasets.openFor(input.substring(0, hash), dataDir, config);
            int index = index(input, hash, ds.size());
            var b = ds.get(new int[]{index});
            if (b.labels() != null) r.put("actual", label(b.labels().data()[0], config));
            else r.put("actual", b.targets().toArray()[0]);
            return b.x().select(0, 0);
        }
        Path p = Path.of(input);
        if (Files.isRegularFile(p)) {
            if (shape == null || shape.length != 3) {
                throw new IllegalArgumentException(input + ": this model does not take images (input shape " + java.util.Arrays.toString(shape) + ")");
            }
            return Datasets.preprocess(Images.load(p, shape[0], shape[1], shape[2], invert), config);
        }
        String[] parts = input.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("input '" + input + "' is neither a file, a dataset example (SPEC#INDEX) nor numbers: '" + parts[i] + "'");
            }
        }
        Tensor x = Tensor.of(v);
        if (shape != null && gradus.tensor.Shape.numel(shape) != v.length) {
            throw new IllegalArgumentException("input '" + input + "' has " + v.length + " values, the model expects " + gradus.tensor.Shape.numel(shape));
        }
        return Datasets.preprocess(shape == null ? x : x.reshape(shape), config);
    }

    /** A text INPUT: a text data set example (SPEC#INDEX, its label kept as "actual") or a text file. */
    String textOf(String input, Map<String, Object> config, Map<String, Object> r) throws Exception {
        int hash = input.lastIndexOf('#');
        if (hash > 0 && TextData.isText(input.substring(0, hash))) {
            if (!(TextData.open(input.substring(0, hash), dataDir) instanceof TextData.Documents docs)) {
                throw new IllegalArgumentException(input + ": a running text, not labelled documents");
            }
            int index = index(input, hash, docs.size());
            r.put("actual", label(docs.labels()[index], config));
            return docs.texts().get(index);
        }
        Path p = Path.of(input);
        if (Files.isRegularFile(p)) return Files.readString(p);
        throw new IllegalArgumentException("input '" + input + "' is neither a text file nor a text example (SPEC#INDEX, e.g. "
                + "spam-assassin-sample:test#0); give a text itself with --text");
    }

    /** One row of token ids, encoded and padded as the model was trained. */
    @SuppressWarnings("unchecked")
    static Tensor tokenIds(String text, Tokenizer tokenizer, Map<String, Object> config) {
        var doc = new TextData.Documents(List.of(text), new int[]{0}, (List<String>) config.get("class_names"));
        return ((TensorDataset) TextEncoding.forModel(doc, tokenizer, config)).x();
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

    private void describe(Tensor out, Map<String, Object> config, Map<String, Object> r) {
        if (!"classification".equals(config.get("task"))) {
            r.put("prediction", out.numel() == 1 ? out.toArray()[0] : out.toArray());
            return;
        }
        boolean probabilities = gradus.train.Evaluation.probabilities(config.get("loss"));
        float[] probs = out.numel() == 1 ? binary(out.item(), probabilities) : out.softmax(0).toArray();
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
        r.put("class", label(order[0], config));
        r.put("index", order[0]);
        Map<String, Float> topk = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(top, probs.length); i++) topk.put(label(order[i], config), probs[order[i]]);
        r.put("probabilities", topk);
    }

    private static float[] binary(float output, boolean probability) {
        float p = probability ? output : (float) (1 / (1 + Math.exp(-output)));
        return new float[]{1 - p, p};
    }

    @SuppressWarnings("unchecked")
    private static String label(int index, Map<String, Object> config) {
        Object names = config.get("class_names");
        if (names instanceof List<?> l && index < l.size()) return String.valueOf(l.get(index));
        return Integer.toString(index);
    }

    static int[] intArray(Object o) {
        if (!(o instanceof List<?> l)) return null;
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = ((Number) l.get(i)).intValue();
        return a;
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
