package gradus.serve;

import gradus.data.DataException;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.util.regex.PatternSyntaxException;

/**
 * Why a model could not be loaded, in words a client may see (the index, a 503 body): Gradus's
 * own errors keep their message; anything else (a JDK exception, an Error) says only what kind of
 * failure it was, its details go to the log.
 */
public final class LoadFailure {
    private LoadFailure() {}

    /** The reason to show for {@code t}. */
    public static String reason(Throwable t) {
        if (t instanceof OutOfMemoryError) return "out of memory while loading: the model needs more memory than the server has";
        if (t instanceof StackOverflowError) return "the model's files are nested too deeply to load";
        if (t instanceof NoSuchFileException) return "missing file " + t.getMessage();
        if (isClear(t) && t.getMessage() != null) return t.getMessage();
        return "internal error while loading (details in the server log)";
    }

    /** Errors thrown by Gradus's own checks, whose messages name the problem; the JDK's subclasses of these are not. */
    private static boolean isClear(Throwable t) {
        if (t instanceof NumberFormatException || t instanceof PatternSyntaxException || t instanceof InvalidPathException) return false;
        return t instanceof ApiException || t instanceof DataException || t instanceof IOException
                || t.getClass() == IllegalArgumentException.class || t.getClass() == IllegalStateException.class
                || t.getClass().getPackageName().startsWith("gradus");
    }

    /**
     * Whether {@code t} means the JVM itself is failing (InternalError, UnknownError): then nothing
     * it runs can be trusted and the error is rethrown after logging. OutOfMemoryError and
     * StackOverflowError are not: a load that runs out of heap or stack has unwound completely,
     * the half-built model is garbage, and the server goes on with the models it had.
     */
    public static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError) && !(t instanceof StackOverflowError);
    }
}
