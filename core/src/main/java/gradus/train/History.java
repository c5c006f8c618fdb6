package gradus.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Per-epoch logs of a {@link Trainer#fit} run, and why it ended. */
public record History(List<Map<String, Double>> epochs, boolean stoppedEarly) {
    public History {
        epochs = List.copyOf(epochs);
    }

    public Map<String, Double> last() {
        return epochs.isEmpty() ? Map.of() : epochs.get(epochs.size() - 1);
    }

    /** The values of one key over the epochs. */
    public List<Double> series(String key) {
        List<Double> out = new ArrayList<>();
        for (Map<String, Double> e : epochs) out.add(e.get(key));
        return out;
    }
}
