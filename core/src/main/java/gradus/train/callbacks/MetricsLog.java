package gradus.train.callbacks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.files.AtomicFiles;
import gradus.train.Callback;
import gradus.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends one JSON object per epoch to a JSONL file (flushed each line, so it can be followed live).
 * With {@link #logSteps}, step records come between them: lines with a {@code "step"} key (the global
 * step), holding the epoch in progress (1-based), the mean training loss since the previous step record
 * and the learning rate. The last step record of an epoch is its last step, so epoch values can be
 * placed on a step axis.
 */
public final class MetricsLog implements Callback {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private int stepRecords, every, pending; // every: steps per record, 0 = none
    private double lossSum;
    private Trainer trainer;

    public MetricsLog(Path file) {
        this.file = file;
    }

    /**
     * Also writes about {@code records} step records over the run (0, the default: epoch lines only).
     * Losses are averaged within an epoch only, so a resumed run writes the same records as an uninterrupted one.
     */
    public MetricsLog logSteps(int records) {
        if (records < 0) throw new IllegalArgumentException("step records must be >= 0, got " + records);
        this.stepRecords = records;
        return this;
    }

    /** True for a step record, false for an epoch line. */
    public static boolean isStepRecord(Map<?, ?> line) {
        return line.containsKey("step");
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        this.trainer = trainer;
        long total = (long) epochs * stepsPerEpoch;
        every = stepRecords == 0 ? 0 : (int) Math.max(1, total / stepRecords);
    }

    @Override
    public void onEpochBegin(int epoch) {
        pending = 0;
        lossSum = 0;
    }

    @Override
    public void onBatchEnd(int epoch, int step, double loss, int batchSize) {
        if (every == 0) return;
        lossSum += loss;
        if (++pending == every) writeStep(epoch);
    }

    private void writeStep(int epoch) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", trainer.globalStep());
        line.put("epoch", epoch + 1);
        double mean = lossSum / pending;
        line.put("loss", Double.isFinite(mean) ? mean : null);
        line.put("lr", trainer.optimizer().lr());
        line.put("time", System.currentTimeMillis() / 1000.0);
        append(line);
        pending = 0;
        lossSum = 0;
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
        if (pending > 0) writeStep(epoch);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", epoch + 1);
        logs.forEach((k, v) -> {
            if (!k.equals("epoch")) line.put(k, Double.isFinite(v) ? v : null);
        });
        line.put("time", System.currentTimeMillis() / 1000.0);
        append(line);
    }

    private void append(Map<String, Object> line) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("could not append to metrics log " + file, e);
        }
    }
}
