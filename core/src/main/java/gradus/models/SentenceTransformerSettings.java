package gradus.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import gradus.files.FileFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a sentence-transformers model pools and normalizes, read from its own files: {@code modules.json}
 * lists the modules (a Pooling module's folder, and Normalize when embeddings are L2-normalized) and the
 * pooling folder's {@code config.json} names the mode. Models such as bge use the [CLS] token, not the mean.
 */
public record SentenceTransformerSettings(SentencePooling pooling, boolean normalize, Path source) {
    private static final JsonMapper JSON = new JsonMapper();
    private static final String POOLING = "sentence_transformers.models.Pooling";
    private static final String NORMALIZE = "sentence_transformers.models.Normalize";

    /** The settings in {@code folder}, or empty when it has no {@code modules.json}. */
    public static Optional<SentenceTransformerSettings> read(Path folder) throws IOException {
        Path modulesFile = folder.resolve("modules.json");
        if (!Files.isRegularFile(modulesFile)) return Optional.empty();
        JsonNode modules = parse(modulesFile);
        if (!modules.isArray()) throw new FileFormatException(modulesFile, "expected a list of modules");
        Path poolingConfig = null;
        boolean normalize = false;
        for (JsonNode module : modules) {
            String type = module.path("type").asText();
            if (type.equals(NORMALIZE)) normalize = true;
            if (type.equals(POOLING)) {
                String path = module.path("path").asText("");
                Path dir = folder.resolve(path).normalize();
                if (!dir.startsWith(folder.normalize())) throw new FileFormatException(modulesFile, "pooling path '" + path + "' leaves the folder");
                poolingConfig = dir.resolve("config.json");
            }
        }
        if (poolingConfig == null) throw new FileFormatException(modulesFile, "no " + POOLING + " module");
        if (!Files.isRegularFile(poolingConfig)) throw new FileFormatException(poolingConfig, "missing (named by " + modulesFile + ")");
        return Optional.of(new SentenceTransformerSettings(mode(poolingConfig), normalize, poolingConfig));
    }

    private static SentencePooling mode(Path file) throws IOException {
        JsonNode config = parse(file);
        List<String> on = new ArrayList<>();
        config.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("pooling_mode_") && config.get(name).asBoolean(false)) on.add(name);
        });
        if (on.equals(List.of("pooling_mode_mean_tokens"))) return SentencePooling.MEAN;
        if (on.equals(List.of("pooling_mode_cls_token"))) return SentencePooling.CLS;
        throw new FileFormatException(file, "pooling " + (on.isEmpty() ? "with no mode set" : String.join(" + ", on))
                + " is not supported (Gradus pools by pooling_mode_mean_tokens or pooling_mode_cls_token); pass --pooling to override");
    }

    private static JsonNode parse(Path file) throws IOException {
        try {
            return JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new FileFormatException(file, "not valid JSON: " + e.getOriginalMessage());
        }
    }
}
