package gradus.llm;

import gradus.text.Tokenizer;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The entry point to GGUF files for code compiled for Java 21 (the CLI), next to the Java 22 classes it loads by name. The reader maps files through
 * the FFM API, final in Java 22, so it is compiled for 22 (src/main/java22); on Java 21 this class says
 * so instead of failing with a class-version error.
 */
public final class Gguf {
    private Gguf() {}

    public static boolean isGgufFile(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".gguf");
    }

    /** {@code gradus info FILE.gguf}: metadata, tensors by type, parameters and the model's configuration. */
    public static String describe(Path file) throws IOException {
        return call("gradus.llm.GgufSummary", "describe", file, String.class);
    }

    /** {@code gradus info HF_FOLDER}: config.json read as Gradus runs it, tensors by type, the tokenizer files. */
    public static String describeFolder(Path folder) throws IOException {
        return call("gradus.llm.GgufSummary", "describeFolder", folder, String.class);
    }

    /** The tokenizer embedded in the file's metadata. */
    public static Tokenizer tokenizer(Path file) throws IOException {
        return call("gradus.llm.EmbeddedTokenizer", "load", file, Tokenizer.class);
    }

    /** Calls {@code className.method(file)}, a class compiled for Java 22, or says that GGUF needs 22. */
    public static <T> T call(String className, String method, Path file, Class<T> result) throws IOException {
        int java = Runtime.version().feature();
        if (java < 22) throw new UnsupportedOperationException(file + ": reading GGUF files needs Java 22 or newer (the FFM API); this is Java " + java);
        try {
            return result.cast(Class.forName(className).getMethod(method, Path.class).invoke(null, file));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this build of Gradus lacks its Java 22 classes (" + className + ")", e);
        }
    }
}
