package gradus.files;

import java.io.IOException;
import java.nio.file.Path;

/** A file that cannot be read as what it claims to be; the message names the file and the problem. */
public final class FileFormatException extends IOException {
    private final transient Path file;

    public FileFormatException(Path file, String problem) {
        this(file, problem, null);
    }

    public FileFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
