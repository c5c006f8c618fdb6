package gradus.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a config record's component takes when its key is absent, written as the config would write it
 * ({@code "1e-5"}, {@code "true"}, {@code "1,1"} for an int[]; {@link #NONE} for null). Without it the key is required.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Default {
    /** Absent means null (an optional Integer, int[] or String). */
    String NONE = "\0none";

    String value();
}
