package gradus.config;

/** A configuration problem; the message names the key and where it is. */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }
}
