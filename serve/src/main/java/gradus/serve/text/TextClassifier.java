package gradus.serve.text;

import gradus.explain.ExplainRequest;

import java.util.Map;

/** A text classifier (for {@code /predict/{name}} with {"text": ...} and the playground); thread-safe. */
public interface TextClassifier {
    /** Class name → probability. */
    Map<String, Float> classify(String text);

    /** Why it classified {@code text} so ({@link gradus.explain.Explanations#explainText}'s result); not every classifier can say. */
    default Map<String, Object> explain(String text, ExplainRequest request) {
        throw new IllegalArgumentException("this text classifier gives no explanations");
    }
}
