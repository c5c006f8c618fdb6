package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.TensorDataset;
import gradus.data.datasets.Datasets;
import gradus.explain.ExplainRequest;
import gradus.explain.Explanations;
import gradus.inference.Predictor;
import gradus.io.ModelDirectory;
import gradus.nn.Module;
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

@Command(name = "explain", description = {"Explain one prediction of a saved model: which input features drove it.",
        "INPUT is what `gradus predict` takes: an image file, comma-separated features or SPEC#INDEX;",
        "a text classifier takes --text or a text example.",
        "Methods: saliency, gradxinput, ig (Integrated Gradients), smoothgrad, gradcam (conv models), occlusion,",
        "lime, shap, and for Transformer text classifiers attention (weights per layer and head, rollout).",
        "Scores are in the model's input space (after the recorded preprocessing)."})
final class ExplainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_DIR")
    Path modelDir;

    @Parameters(index = "1", arity = "0..1", paramLabel = "INPUT", description = "The input to explain (or --input).")
    String positional;

    @Option(names = "--input", paramLabel = "INPUT", description = "The input to explain.")
    String input;

    @Option(names = "--text", paramLabel = "TEXT", description = "A text to explain (text classifiers).")
    String text;

    @Option(names = "--method", defaultValue = "ig", paramLabel = "METHOD", description = "${COMPLETION-CANDIDATES}; default ${DEFAULT-VALUE}.",
            completionCandidates = Methods.class)
    String method;

    @Option(names = "--target", paramLabel = "CLASS", description = "The class explained, as an index or a class name (default: the predicted one).")
    String target;

    @Option(names = "--steps", paramLabel = "N", description = "Integrated Gradients path points (default 50).")
    Integer steps;

    @Option(names = "--rule", paramLabel = "RULE", description = "Integrated Gradients rule: gausslegendre (default), left, right, middle, trapezoid.")
    String rule;

    @Option(names = "--samples", paramLabel = "N", description = "SmoothGrad copies, LIME samples or KernelSHAP coalitions.")
    Integer samples;

    @Option(names = "--sigma", paramLabel = "S", description = "SmoothGrad noise as a fraction of the input's value range (default 0.15).")
    Float sigma;

    @Option(names = "--layer", paramLabel = "PATH", description = "Grad-CAM layer, e.g. 3 or 0.2 (default: the last convolution).")
    String layer;

    @Option(names = "--window", paramLabel = "N", description = "Occlusion window, LIME/SHAP grid cell for images (default 4).")
    Integer window;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the sampled methods (default 0).")
    Long seed;

    @Option(names = "--data", paramLabel = "SPEC", description = "Reference rows for tabular lime and shap (e.g. boston:train; the first 200 are used).")
    String data;

    @Mixin DataDirOption dataDir;

    @Option(names = "--invert", description = "Invert image brightness (dark drawing on light paper → MNIST style).")
    boolean invert;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write a picture: FILE.png (images: the scores over the input) or FILE.html (text: highlighted tokens).")
    Path out;

    static final class Methods extends ArrayList<String> {
        Methods() {
            super(ExplainRequest.METHODS);
        }
    }

    @Override
    public Integer call() throws Exception {
        String given = input != null ? input : positional;
        if (given == null && text == null) throw new IllegalArgumentException("nothing to explain: give an INPUT, --input or --text");
        if (given != null && text != null) throw new IllegalArgumentException("give either an INPUT or --text, not both");
        var loaded = ModelDirectory.load(modelDir);
        Map<String, Object> config = loaded.config();
        Module model = loaded.model().eval();
        var request = new ExplainRequest(method, targetIndex(config), steps, rule, samples, sigma, layer, window, seed);
        PredictCommand inputs = new PredictCommand(); // its input parsing, so both commands read INPUT alike
        inputs.dataDir = dataDir;
        inputs.invert = invert;
        Map<String, Object> info = new LinkedHashMap<>();
        Map<String, Object> result;
        String outName = out == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (out != null && !outName.endsWith(".png") && !outName.endsWith(".html")) {
            throw new IllegalArgumentException("--out must end in .png (images) or .html (text), got " + out);
        }
        Tensor x = null;
        boolean textModel = Files.isRegularFile(modelDir.resolve(ModelDirectory.TOKENIZER_FILE));
        if (textModel) {
            Predictor predictor = Predictor.of(model, loaded.card(), ModelDirectory.tokenizer(modelDir));
            result = Explanations.explainText(predictor, text != null ? text : inputs.textOf(given, loaded.card(), info), request);
        } else {
            if (text != null) throw new IllegalArgumentException("--text needs a text classifier (a model directory with tokenizer.json)");
            x = inputs.input(Predictor.of(model, loaded.card(), null), given, info);
            Tensor background = null;
            if (data != null) {
                TensorDataset ds = Datasets.openFor(data, dataDir.dir, loaded.card().classNames(), loaded.card().scaler());
                background = ds.x().narrow(0, 0, Math.min(200, ds.size())).contiguous();
            }
            result = Explanations.explain(model, x, request, background);
        }
        result.put("class", label((Integer) result.get("target"), config));
        if (info.containsKey("actual")) result.put("actual", info.get("actual"));
        result.put("input", given != null ? given : text);
        if (out != null) picture(result, x);
        if (json) System.out.println(new ObjectMapper().writeValueAsString(result));
        else print(result, config);
        return 0;
    }

    @SuppressWarnings("unchecked")
    private void picture(Map<String, Object> r, Tensor x) throws java.io.IOException {
        List<Float> attr = (List<Float>) r.get("attributions");
        if (out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".html")) {
            if (!r.containsKey("tokens")) throw new IllegalArgumentException("--out FILE.html shows text tokens; for images use FILE.png");
            Files.writeString(out, HeatMap.html((List<String>) r.get("tokens"), attr, r.get("method") + " for class " + r.get("class")));
        } else {
            List<Integer> shape = (List<Integer>) r.get("shape");
            if (x == null || shape.size() != 4) throw new IllegalArgumentException("--out FILE.png shows image inputs; for text use FILE.html");
            HeatMap.png(attr, x.toArray(), shape.get(1), shape.get(2), shape.get(3), Math.max(1, 224 / shape.get(3)), out);
        }
        if (!json) System.out.println("wrote " + out);
    }

    private Integer targetIndex(Map<String, Object> config) {
        if (target == null) return null;
        if (config.get("class_names") instanceof List<?> names && names.contains(target)) return names.indexOf(target);
        try {
            return Integer.parseInt(target);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--target '" + target + "' is neither a class index nor a class name"
                    + (config.get("class_names") instanceof List<?> names ? " (classes: " + names + ")" : ""));
        }
    }

    private static String label(int index, Map<String, Object> config) {
        return config.get("class_names") instanceof List<?> l && index < l.size() ? String.valueOf(l.get(index)) : Integer.toString(index);
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> r, Map<String, Object> config) {
        System.out.printf(Locale.ROOT, "%s for class %s%s%n", r.get("method"), r.get("class"),
                r.containsKey("actual") ? " (actual: " + r.get("actual") + ")" : "");
        List<Float> attr = (List<Float>) r.get("attributions");
        if (r.containsKey("tokens")) {
            List<String> tokens = (List<String>) r.get("tokens");
            for (int i = 0; i < tokens.size(); i++) System.out.printf(Locale.ROOT, "  %-16s %+.4f%n", tokens.get(i), attr.get(i));
        } else {
            List<Integer> shape = (List<Integer>) r.get("shape");
            if (shape.size() == 4) System.out.print(HeatMap.ascii(attr, shape.get(2), shape.get(3)));
            else bars(attr, config.get("feature_names") instanceof List<?> n ? (List<Object>) n : null);
        }
        for (String key : List.of("gap", "delta", "fidelity", "base", "efficiency_gap", "layer", "note")) {
            if (r.containsKey(key)) System.out.println(key + ": " + r.get(key));
        }
    }

    /** Tabular features sorted by |attribution|, with a bar. */
    private static void bars(List<Float> attr, List<Object> names) {
        Integer[] order = new Integer[attr.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(attr.get(b)), Math.abs(attr.get(a))));
        float max = 1e-12f;
        for (float a : attr) max = Math.max(max, Math.abs(a));
        for (int i : order) {
            String name = names != null && i < names.size() ? String.valueOf(names.get(i)) : "feature " + i;
            int len = Math.round(20 * Math.abs(attr.get(i)) / max);
            System.out.printf(Locale.ROOT, "  %-14s %+10.4f %s%n", name, attr.get(i), (attr.get(i) < 0 ? "-" : "+").repeat(len));
        }
    }
}
