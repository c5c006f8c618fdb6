package gradus.serve.text;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The text models a server offers, by name; applications register them before or while serving. Closing it closes
 * the models that hold resources (a language model's mapped file); the server does not, as it does not own them.
 */
public final class TextModels implements AutoCloseable {
    private final Map<String, TextGenerator> generators = new ConcurrentHashMap<>();
    private final Map<String, TextEmbedder> embedders = new ConcurrentHashMap<>();
    private final Map<String, TextClassifier> classifiers = new ConcurrentHashMap<>();

    public TextModels generator(String name, TextGenerator g) {
        generators.put(name, g);
        return this;
    }

    public TextModels embedder(String name, TextEmbedder e) {
        embedders.put(name, e);
        return this;
    }

    public TextModels classifier(String name, TextClassifier c) {
        classifiers.put(name, c);
        return this;
    }

    public TextGenerator generator(String name) {
        return generators.get(name);
    }

    public TextEmbedder embedder(String name) {
        return embedders.get(name);
    }

    public TextClassifier classifier(String name) {
        return classifiers.get(name);
    }

    public Set<String> generatorNames() {
        return new TreeSet<>(generators.keySet());
    }

    public Set<String> embedderNames() {
        return new TreeSet<>(embedders.keySet());
    }

    public Set<String> classifierNames() {
        return new TreeSet<>(classifiers.keySet());
    }

    @Override
    public void close() {
        for (TextGenerator g : generators.values()) {
            if (g instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing a text model failed: " + e.getMessage(), e);
                }
            }
        }
        generators.clear();
    }
}
