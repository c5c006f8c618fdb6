package gradus.spark.tune;

import java.io.Serializable;
import java.util.Map;

/** One run of the recipe with {@code params} set: the metric of its last epoch, its epochs and its wall time. */
public record Trial(int id, Map<String, Object> params, double metric, int epochs, double seconds, String outDir) implements Serializable {}
