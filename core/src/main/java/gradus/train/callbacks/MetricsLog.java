package gradus.train.callbacks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.io.AtomicFiles;
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

    /**
     * Keeps the lines of epochs 1..{@code epochs} (for a run resumed after that many) and drops the later ones
     * and a line torn by a kill, so the resumed run's lines follow on as in an uninterrupted run.
     */
    public static void keepEpochs(Path file, int epochs) throws IOException {
        if (!Files.isRegularFile(file)) return;
        StringBuilder kept = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode epoch;
            try {
                epoch = JSON.readTree(line).get("epoch");
            } catch (JsonProcessingException torn) {
                continue;
            }
            if (epoch != null && epoch.isInt() && epoch.intValue() <= epochs) kept.append(line).append('\n');
        }
        AtomicFiles.writeString(file, kept.toString());
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
