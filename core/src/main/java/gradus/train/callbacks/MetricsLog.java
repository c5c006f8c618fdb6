package gradus.train.callbacks;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.train.Callback;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** Appends one JSON object per epoch to a JSONL file (flushed each line, so it can be followed live). */
public final class MetricsLog implements Callback {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", epoch + 1);
        logs.forEach((k, v) -> {
            if (!k.equals("epoch")) line.put(k, Double.isFinite(v) ? v : null);
        });
        line.put("time", System.currentTimeMillis() / 1000.0);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("could not append to metrics log " + file, e);
        }
    }
}
