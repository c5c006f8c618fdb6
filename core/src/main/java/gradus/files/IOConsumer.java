package gradus.files;

import java.io.IOException;

/** A consumer that may throw {@link IOException}, for code that writes to a stream. */
@FunctionalInterface
public interface IOConsumer<T> {
    void accept(T value) throws IOException;
}
