package gradus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import gradus.config.Config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** Reads a YAML recipe into a {@link Config}; errors name the file, line and problem. */
final class Yaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Yaml() {}

    @SuppressWarnings("unchecked")
    static Config read(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
        try {
            Object parsed = YAML.readValue(file.toFile(), Object.class);
            if (!(parsed instanceof Map<?, ?> map)) throw new IllegalArgumentException(file + ": the top level must be a mapping");
            return new Config(file.getFileName().toString(), (Map<String, ?>) map);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new IllegalArgumentException(file + (loc != null ? " line " + loc.getLineNr() : "") + ": " + e.getOriginalMessage());
        }
    }
}
