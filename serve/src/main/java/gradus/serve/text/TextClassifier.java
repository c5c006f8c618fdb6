package gradus.serve.text;

import java.util.Map;

/** A text classifier (for {@code /predict/{name}} with {"text": ...} and the playground); thread-safe. */
public interface TextClassifier {
    /** Class name → probability. */
    Map<String, Float> classify(String text);
}
