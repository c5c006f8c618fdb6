package gradus.explain;

import gradus.inference.Predictor;
import gradus.models.TransformerClassifier;
import gradus.tensor.Shape;
import gradus.autograd.GradMode;
import gradus.nn.Module;
import gradus.tensor.Tensor;
import gradus.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One entry point for the CLI and the server: explains one model input by a method named in an
 * {@link ExplainRequest} and returns plain JSON values. Gradients are taken with respect to inputs only
 * ({@link gradus.autograd.GradMode#inputGradients}), so explaining leaves no gradients on the weights.
 */
public final class Explanations {
    private Explanations() {}

    /**
     * Explains one input [1, ...] of a tensor model (images, tabular rows). {@code background} (rows [B, ...], may be
     * null) is the reference data of tabular LIME and SHAP; without it SHAP removes features to zero and LIME
     * needs it. Result keys: method, target, outputs, shape, attributions, and per method: gap and delta (ig),
     * fidelity and intercept (lime), base and efficiency_gap (shap), layer and map_shape (gradcam).
     */
    public static Map<String, Object> explain(Module model, Tensor input, ExplainRequest r, Tensor background) {
        if (input.dim() < 2 || input.size(0) != 1) {
            throw new IllegalArgumentException("explain one input at a time: shape [1, ...], got " + Shape.str(input.shape()));
        }
        UnaryOperator<Tensor> f = model::forward;
        Tensor out = model.predict(input);
        int target = r.target() != null ? r.target() : Outputs.argmax(out)[0];
        Outputs.column(out, 1, target); // range check
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("method", r.method());
        res.put("target", target);
        res.put("outputs", toList(out.toArray()));
        Tensor attr = switch (r.method()) {
            case "saliency" -> Saliency.saliency(f, input, target);
            case "gradxinput" -> Saliency.gradientTimesInput(f, input, target);
            case "ig" -> {
                var ig = new IntegratedGradients(f).steps(r.stepsOr())
                        .rule(r.rule() == null ? Quadrature.GAUSS_LEGENDRE : Quadrature.parse(r.rule())).attribute(input, target);
                res.put("gap", ig.gaps()[0]);
                res.put("delta", ig.deltas()[0]);
                yield ig.attributions();
            }
            case "smoothgrad" -> {
                float range = input.max().item() - input.min().item();
                float sigma = (r.sigma() == null ? 0.15f : r.sigma()) * (range > 0 ? range : 1f);
                yield SmoothGrad.attribute(f, input, target, r.samplesOr(32), sigma, false, r.seedOr());
            }
            case "gradcam" -> {
                String layer = r.layer() != null ? r.layer() : LayerSplit.lastConv(model);
                Tensor map = GradCam.attribute(model, layer, input, target, true);
                res.put("layer", layer);
                res.put("map_shape", toList(map.shape()));
                res.put("map", toList(map.toArray()));
                if (map.max().item() <= 0f) {
                    res.put("note", "Grad-CAM is zero everywhere: at layer " + layer + " the evidence for this class is negative "
                            + "throughout (ReLU removes it); try a later layer or another method");
                }
                yield input.dim() == 4 ? GradCam.upsample(map, input.size(2), input.size(3)) : map;
            }
            case "occlusion" -> {
                int[] window = new int[input.dim() - 1], strides = new int[input.dim() - 1];
                for (int d = 0; d < window.length; d++) {
                    boolean channel = input.dim() == 4 && d == 0;
                    window[d] = channel ? input.size(1) : Math.min(r.windowOr(), input.size(d + 1));
                    strides[d] = channel ? 1 : Math.max(1, window[d] / 2);
                }
                yield Occlusion.attribute(f, input, target, window, strides, 0f, 64);
            }
            case "lime" -> lime(f, input, target, r, background, res);
            case "shap" -> shap(f, input, target, r, background, res);
            default -> throw new IllegalArgumentException("method '" + r.method() + "' explains text models only");
        };
        res.put("shape", toList(attr.shape()));
        res.put("attributions", toList(attr.toArray()));
        return res;
    }

    private static Tensor lime(UnaryOperator<Tensor> f, Tensor input, int target, ExplainRequest r, Tensor background,
                               Map<String, Object> res) {
        Lime.Explanation e;
        Tensor attr;
        if (input.dim() == 4) {
            int[] cells = Lime.gridCells(input, r.windowOr());
            e = Lime.image(f, input, r.windowOr(), 0f, target, r.samplesOr(1000), r.seedOr());
            attr = spread(e.weights(), cells, input.shape());
        } else {
            if (background == null) {
                throw new IllegalArgumentException("LIME for tabular inputs needs training data for its quartile bins: give --data (CLI) or \"background\" rows (server)");
            }
            e = Lime.tabular(f, input.reshape(-1), background.reshape(background.size(0), -1), target, r.samplesOr(1000), r.seedOr());
            attr = Tensor.of(toFloats(e.weights()), input.shape());
        }
        res.put("fidelity", e.fidelity());
        res.put("intercept", e.intercept());
        return attr;
    }

    private static Tensor shap(UnaryOperator<Tensor> f, Tensor input, int target, ExplainRequest r, Tensor background,
                               Map<String, Object> res) {
        CoalitionGame game;
        int features;
        int[] cells = null;
        if (input.dim() == 4) {
            cells = Lime.gridCells(input, r.windowOr());
            features = 0;
            for (int c : cells) features = Math.max(features, c + 1);
            game = CoalitionGame.masked(f, input, Tensor.zerosLike(input), cells, target);
        } else {
            Tensor x = input.reshape(-1);
            features = x.numel();
            Tensor bg = background == null ? Tensor.zeros(1, features) : background.reshape(background.size(0), -1);
            game = CoalitionGame.tabular(f, x, bg, target);
        }
        ShapleyValues s = features <= ExactShapley.MAX_FEATURES && r.samples() == null
                ? ExactShapley.of(game, features) : KernelShap.of(game, features, r.samplesOr(2048), r.seedOr());
        res.put("base", s.base());
        res.put("efficiency_gap", s.efficiencyGap());
        res.put("exact", features <= ExactShapley.MAX_FEATURES && r.samples() == null);
        return cells != null ? spread(s.values(), cells, input.shape()) : Tensor.of(toFloats(s.values()), input.shape());
    }

    /**
     * Explains one text of a text classifier loaded with its tokenizer (the CLI's and the server's way in): encoded,
     * cut and padded as it was trained; the tokens are the real ones (padding left out), the words for lime are
     * split at white space.
     */
    public static Map<String, Object> explainText(Predictor predictor, String text, ExplainRequest r) {
        Tokenizer tokenizer = predictor.tokenizer();
        if (tokenizer == null) throw new IllegalArgumentException("explaining a text needs a text classifier (a model directory with tokenizer.json)");
        Tensor ids = predictor.encodeTexts(List.of(text));
        List<String> tokens = new ArrayList<>();
        for (float id : ids.toArray()) if (id != 0f) tokens.add(tokenizer.idToToken((int) id));
        List<String> words = Arrays.asList(text.trim().split("\\s+"));
        return explainText(predictor.model(), ids, tokens, r, words, s -> predictor.encodeTexts(List.of(s)));
    }

    /**
     * Explains a text for a {@link TransformerExplainer}-supported model: token ids [1, T] and their printable
     * tokens. Methods ig, gradxinput and saliency give per-token scores; attention gives the weights per layer and
     * head and the rollout; lime masks words ({@code encoder} turns a text back into ids).
     */
    public static Map<String, Object> explainText(Module model, Tensor ids, List<String> tokens, ExplainRequest r,
                                                  List<String> words, Function<String, Tensor> encoder) {
        Tensor out = model.predict(ids);
        int target = r.target() != null ? r.target() : Outputs.argmax(out)[0];
        Outputs.column(out, 1, target);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("method", r.method());
        res.put("target", target);
        res.put("outputs", toList(out.toArray()));
        if (r.method().equals("lime")) {
            Lime.Explanation e = Lime.text(model::forward, words, encoder, target, r.samplesOr(500), r.seedOr());
            res.put("tokens", words);
            res.put("attributions", toList(toFloats(e.weights())));
            res.put("fidelity", e.fidelity());
            return res;
        }
        if (!TransformerExplainer.supports(model)) {
            throw new IllegalArgumentException("method '" + r.method() + "' on text needs a TransformerClassifier; this model is "
                    + model.getClass().getSimpleName() + " (lime works for every text model)");
        }
        var e = new TransformerExplainer((TransformerClassifier) model).explain(ids, target, r.stepsOr());
        res.put("tokens", tokens.subList(0, Math.min(tokens.size(), e.ids().length)));
        switch (r.method()) {
            case "ig" -> {
                res.put("attributions", toList(e.integratedGradients()));
                res.put("gap", e.gap());
            }
            case "gradxinput", "saliency" -> res.put("attributions", toList(e.gradientTimesInput()));
            case "attention" -> {
                res.put("attributions", toList(e.rollout()));
                res.put("attention", e.attention());
                res.put("rollout", e.rolloutMatrix());
            }
            default -> throw new IllegalArgumentException("method '" + r.method()
                    + "' does not apply to text; use ig, gradxinput, attention or lime");
        }
        return res;
    }

    /** Feature values spread over the elements of their groups. */
    private static Tensor spread(double[] values, int[] groups, int[] shape) {
        float[] out = new float[groups.length];
        for (int e = 0; e < groups.length; e++) out[e] = (float) values[groups[e]];
        return Tensor.of(out, shape);
    }

    static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    static List<Float> toList(float[] v) {
        List<Float> l = new java.util.ArrayList<>(v.length);
        for (float x : v) l.add(x);
        return l;
    }

    static List<Integer> toList(int[] v) {
        return Arrays.stream(v).boxed().toList();
    }
}
