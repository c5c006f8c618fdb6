package gradus.data;

/** A data file or data set that cannot be used: missing, corrupt, truncated or malformed. The message says which and why. */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
