package gradus.tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;

/** Checks that a saved name → tensor map fits a live one before anything is copied (modules, optimizers). */
public final class StateDicts {
    private StateDicts() {}

    /**
     * Throws naming the missing, unexpected and mismatched keys. {@code owner} says what is being
     * loaded ("state dict does not match Sequential"); {@code source}/{@code target} name the two sides.
     */
    public static void requireMatch(String owner, Map<String, Tensor> target, Map<String, Tensor> source,
                                    String sourceName, String targetName) {
        TreeSet<String> missing = new TreeSet<>(target.keySet());
        missing.removeAll(source.keySet());
        TreeSet<String> unexpected = new TreeSet<>(source.keySet());
        unexpected.removeAll(target.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException(owner
                    + (missing.isEmpty() ? "" : "; missing keys: " + missing)
                    + (unexpected.isEmpty() ? "" : "; unexpected keys: " + unexpected));
        }
        for (var e : target.entrySet()) {
            Tensor src = source.get(e.getKey());
            if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("shape mismatch for '" + e.getKey() + "': " + sourceName + " has "
                        + Shape.str(src.shape()) + ", " + targetName + " has " + Shape.str(e.getValue().shape()));
            }
        }
    }
}
