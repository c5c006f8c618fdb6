package gradus.llm;

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
        int java = Runtime.version().feature();
        if (java < 22) throw new UnsupportedOperationException(file + ": reading GGUF files needs Java 22 or newer (the FFM API); this is Java " + java);
        try {
            return (String) Class.forName("gradus.llm.GgufSummary").getMethod("describe", Path.class).invoke(null, file);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this build of Gradus lacks its Java 22 classes (gradus.llm.GgufSummary)", e);
        }
    }
}
