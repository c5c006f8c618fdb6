package gradus.train.callbacks;

import java.util.Map;

/** Reads the monitored value from epoch logs; knows which values are better when larger. */
final class Monitor {
    private Monitor() {}

    static boolean maximize(String key) {
        String k = key.toLowerCase();
        return k.contains("accuracy") || k.contains("f1") || k.contains("r2") || k.contains("precision") || k.contains("recall");
    }

    static double value(Map<String, Double> logs, String key) {
        Double v = logs.get(key);
        if (v == null) throw new IllegalArgumentException("monitored value '" + key + "' is not in the epoch logs; available: " + logs.keySet());
        return v;
    }
}
