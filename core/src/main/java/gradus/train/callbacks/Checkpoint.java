package gradus.train.callbacks;

import gradus.io.ModelDirectory;
import gradus.text.Tokenizer;
import gradus.train.Callback;
import gradus.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saves a resumable model directory (weights, config, optimizer and trainer state, as one set) every
 * {@code every} epochs, so a run that is killed can go on with {@code --resume DIR}.
 */
public final class Checkpoint implements Callback {
    private final Path dir;
    private final int every;
    private final Map<String, Object> extraConfig;
    private final Tokenizer tokenizer;
    private Trainer trainer;

    public Checkpoint(Path dir, int every, Map<String, Object> extraConfig, Tokenizer tokenizer) {
        if (every < 1) throw new IllegalArgumentException("checkpoint every must be >= 1 epoch, got " + every);
        this.dir = dir;
        this.every = every;
        this.extraConfig = extraConfig;
        this.tokenizer = tokenizer;
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        this.trainer = trainer;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if ((epoch + 1) % every != 0) return;
        try {
            save(dir, trainer, extraConfig, tokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException("could not save checkpoint to " + dir, e);
        }
    }

    /**
     * Saves the trainer's model with its training state into {@code dir}. The tokenizer (may be null), the same
     * for every epoch, is written first, so every saved set has it beside it.
     */
    public static void save(Path dir, Trainer trainer, Map<String, Object> extraConfig, Tokenizer tokenizer) throws IOException {
        if (tokenizer != null) {
            Files.createDirectories(dir);
            tokenizer.save(dir.resolve(ModelDirectory.TOKENIZER_FILE));
        }
        ModelDirectory.save(dir, trainer.model(), extraConfig, trainer.trainingState());
    }
}
