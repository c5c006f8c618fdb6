package gradus.train.callbacks;

import gradus.io.TensorBoardWriter;
import gradus.train.Callback;
import gradus.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes TensorBoard scalars into {@code logDir}: {@code batch/loss} at every optimizer step (x-axis:
 * global step) and every epoch log value, e.g. {@code epoch/loss}, {@code epoch/val_accuracy},
 * {@code epoch/lr} (x-axis: epoch number, 1-based). Flushed after each epoch and at least every
 * {@value #FLUSH_SECONDS} seconds in between, so a live TensorBoard follows the run.
 */
public final class TensorBoard implements Callback {
    static final int FLUSH_SECONDS = 30;

    private final Path logDir;
    private boolean replace;
    private TensorBoardWriter writer;
    private Path file;
    private Trainer trainer;
    private long lastFlushNanos;

    /** Appends a new event file to {@code logDir}, next to any earlier ones (as TensorBoard expects of a resumed run). */
    public TensorBoard(Path logDir) {
        this(logDir, false);
    }

    /** With {@code replace}, event files already in {@code logDir} are deleted first, so a fresh run does not show an old one's curves. */
    public TensorBoard(Path logDir, boolean replace) {
        this.logDir = logDir;
        this.replace = replace;
    }

    /** The event file of the current or last run; null before training begins. */
    public Path file() {
        return file;
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        this.trainer = trainer;
        if (writer != null) return; // an earlier fit() that failed left its file open: keep writing there
        try {
            if (replace) deleteEventFiles();
            replace = false; // a later fit() on this callback adds a file next to this run's
            writer = TensorBoardWriter.create(logDir);
            file = writer.file();
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a TensorBoard event file in " + logDir, e);
        }
        lastFlushNanos = System.nanoTime();
    }

    @Override
    public void onBatchEnd(int epoch, int step, double loss, int batchSize) {
        try {
            writer.addScalar("batch/loss", loss, trainer.globalStep());
            if (System.nanoTime() - lastFlushNanos > FLUSH_SECONDS * 1_000_000_000L) flush();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Map<String, Double> scalars = new LinkedHashMap<>();
        logs.forEach((k, v) -> {
            if (!k.equals("epoch")) scalars.put("epoch/" + k, v);
        });
        try {
            writer.addScalars(scalars, epoch + 1);
            flush();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> lastLogs) {
        if (writer == null) return;
        try {
            writer.close();
        } catch (IOException e) {
            throw failed(e);
        } finally {
            writer = null;
        }
    }

    private void flush() throws IOException {
        writer.flush();
        lastFlushNanos = System.nanoTime();
    }

    private void deleteEventFiles() throws IOException {
        if (!Files.isDirectory(logDir)) return;
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().contains("." + TensorBoardWriter.FILE_MARK + ".") && Files.isRegularFile(p)) Files.delete(p);
            }
        }
    }

    private UncheckedIOException failed(IOException e) {
        return new UncheckedIOException("could not write TensorBoard events to " + file, e);
    }
}
