package gradus.inference;

import gradus.data.Images;
import gradus.data.datasets.TextEncoding;
import gradus.io.ModelCard;
import gradus.io.ModelDirectory;
import gradus.io.ModelProtection;
import gradus.nn.Module;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;
import gradus.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A saved model as an application uses it, the one place that turns inputs into answers: decodes inputs (feature
 * rows, images, text through the tokenizer), applies the card's preprocessing, runs the network without a graph on
 * whole batches, and reads the outputs as the card's task says (class probabilities by softmax, or sigmoid for one
 * output, labels from the class names, the top k; regression values and embeddings as they are). {@code gradus
 * predict}, the server and the Java API all go through it.
 */
public final class Predictor {
    private final Module model;
    private final ModelCard card;
    private final Tokenizer tokenizer;
    private final String source;

    private Predictor(Module model, ModelCard card, Tokenizer tokenizer, String source) {
        this.model = model.eval();
        this.card = card;
        this.tokenizer = tokenizer;
        this.source = source;
    }

    /** The model in {@code dir}, with its tokenizer when it has one. */
    public static Predictor load(Path dir) throws IOException {
        return load(dir, ModelProtection.NONE);
    }

    /** Loads {@code dir} as {@code protection} allows (see {@link ModelDirectory#load(Path, ModelProtection)}). */
    public static Predictor load(Path dir, ModelProtection protection) throws IOException {
        var loaded = ModelDirectory.load(dir, protection);
        boolean text = protection.key() == null && Files.isRegularFile(dir.resolve(ModelDirectory.TOKENIZER_FILE));
        return new Predictor(loaded.model(), loaded.card(), text ? ModelDirectory.tokenizer(dir) : null, dir.toString());
    }

    /** A model built or loaded in code, with its card and (for a text model) its tokenizer, or null. */
    public static Predictor of(Module model, ModelCard card, Tokenizer tokenizer) {
        return new Predictor(model, card, tokenizer, "model");
    }

    public Module model() { return model; }

    public ModelCard card() { return card; }

    /** The text model's tokenizer, or null. */
    public Tokenizer tokenizer() { return tokenizer; }

    /** One example's shape; fails naming the model when the card neither records nor can infer it. */
    public int[] inputShape() {
        int[] shape = card.inputShape();
        if (shape == null) {
            throw new IllegalArgumentException(source + ": 'input_shape' is missing from " + ModelDirectory.CONFIG_FILE
                    + " and cannot be inferred from the model, so one example's shape is unknown");
        }
        return shape;
    }

    // ---------------------------------------------------------------- running

    /** Outputs for raw inputs [N, ...input_shape]: the card's preprocessing, then the network (no graph). */
    public Tensor forward(Tensor batch) {
        return model.predict(card.preprocess(batch));
    }

    /** Outputs for inputs that are preprocessed already (a named data split scaled with its own statistics). */
    public Tensor forwardPreprocessed(Tensor batch) {
        return model.predict(batch);
    }

    /** Outputs for raw examples, each [...input_shape], run as one batch [N, ...output]. */
    public Tensor forward(List<Tensor> examples) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no examples to run");
        int[] shape = examples.get(0).shape();
        int size = Shape.numel(shape);
        float[] rows = new float[examples.size() * size];
        for (int i = 0; i < examples.size(); i++) {
            Tensor x = examples.get(i);
            if (!Arrays.equals(x.shape(), shape)) {
                throw new IllegalArgumentException("example " + i + " has shape " + Shape.str(x.shape()) + ", example 0 " + Shape.str(shape));
            }
            System.arraycopy(x.contiguousData(), 0, rows, i * size, size);
        }
        int[] batch = new int[shape.length + 1];
        batch[0] = examples.size();
        System.arraycopy(shape, 0, batch, 1, shape.length);
        return forward(Tensor.of(rows, batch));
    }

    // ---------------------------------------------------------------- decoding

    /** One example from comma-separated numbers, shaped as the card's input (when it has one). */
    public Tensor decodeCsv(String row) {
        String[] parts = row.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("input '" + row + "' is neither a file, a dataset example (SPEC#INDEX) nor numbers: '" + parts[i] + "'");
            }
        }
        int[] shape = card.inputShape();
        if (shape == null) return Tensor.of(v);
        if (Shape.numel(shape) != v.length) {
            throw new IllegalArgumentException("input '" + row + "' has " + v.length + " values, the model expects " + Shape.numel(shape));
        }
        return Tensor.of(v, shape);
    }

    /** One example from an image file, resized to the card's [channels, height, width] ({@code invert}: dark drawing on light paper). */
    public Tensor decodeImage(Path file, boolean invert) throws IOException {
        int[] shape = card.inputShape();
        if (shape == null || shape.length != 3) {
            throw new IllegalArgumentException(file + ": this model does not take images (input shape " + Arrays.toString(shape) + ")");
        }
        return Images.load(file, shape[0], shape[1], shape[2], invert);
    }

    /** Token id rows [N, max_length] for a text classifier: encoded, cut and right-padded as it was trained. */
    public Tensor encodeTexts(List<String> texts) {
        if (tokenizer == null) throw new IllegalArgumentException(source + " has no tokenizer: it does not take text");
        int maxLength = card.maxLength() != null ? card.maxLength() : TextEncoding.DEFAULT_MAX_LENGTH;
        return TextEncoding.rows(texts, tokenizer, maxLength, Math.max(0, tokenizer.padId()));
    }

    // ---------------------------------------------------------------- post-processing

    /** Class probabilities per row: 2 for a single output ([1-p, p]), else one per output. */
    public static int probabilityWidth(int outputSize) {
        return outputSize == 1 ? 2 : outputSize;
    }

    /**
     * Class probabilities of {@code n} output rows given row-major: softmax over each row, or for one output its
     * sigmoid (the output itself when the model outputs probabilities, trained with bce) as [1-p, p].
     */
    public float[] probabilities(float[] outputs, int n) {
        int outputSize = outputs.length / Math.max(1, n), w = probabilityWidth(outputSize);
        float[] p = new float[n * w];
        for (int r = 0; r < n; r++) {
            if (outputSize == 1) {
                float v = outputs[r];
                float q = card.outputsProbabilities() ? v : (float) (1 / (1 + Math.exp(-v)));
                p[r * 2] = 1 - q;
                p[r * 2 + 1] = q;
            } else {
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < w; i++) max = Math.max(max, outputs[r * w + i]);
                double sum = 0;
                for (int i = 0; i < w; i++) sum += p[r * w + i] = (float) Math.exp(outputs[r * w + i] - max);
                for (int i = 0; i < w; i++) p[r * w + i] /= (float) sum;
            }
        }
        return p;
    }

    /** A class with its probability. */
    public record Scored(int index, String label, float probability) {}

    /** Row {@code row} of {@code probabilities} ({@code width} per row), most likely first, at most {@code k} classes. */
    public List<Scored> topK(float[] probabilities, int row, int width, int k) {
        List<Integer> order = new ArrayList<>(width);
        for (int i = 0; i < width; i++) order.add(i);
        order.sort((a, b) -> Float.compare(probabilities[row * width + b], probabilities[row * width + a]));
        List<Scored> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, width); i++) {
            int c = order.get(i);
            out.add(new Scored(c, card.className(c), probabilities[row * width + c]));
        }
        return out;
    }

    /** Every class of one output row, most likely first: the classification of one example. */
    public List<Scored> classify(float[] outputRow) {
        float[] p = probabilities(outputRow, 1);
        return topK(p, 0, p.length, p.length);
    }
}
