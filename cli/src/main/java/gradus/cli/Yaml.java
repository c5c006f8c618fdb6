package gradus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import gradus.config.Config;
import gradus.config.ConfigException;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a YAML recipe into a {@link Config}; errors name the file, line and problem. A recipe is a few kilobytes, so
 * documents are capped ({@link #MAX_BYTES}, in bytes and code points) before parsing, as are aliases and nesting:
 * a hostile file costs at most a bounded parse.
 */
final class Yaml {
    /**
     * The largest recipe read: 64 KiB, over fifty times the largest example. SnakeYAML's cost grows with the square of a
     * scalar's length (a 1 MiB scalar allocates 2 GB), so the cap must be small, not merely finite.
     */
    static final int MAX_BYTES = 64 << 10;
    private static final int MAX_DEPTH = 64;
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .loaderOptions(loaderOptions())
            .streamReadConstraints(StreamReadConstraints.builder().maxDocumentLength(MAX_BYTES).maxStringLength(MAX_BYTES)
                    .maxNestingDepth(MAX_DEPTH).build())
            .build());

    private Yaml() {}

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_BYTES);
        options.setMaxAliasesForCollections(32); // Jackson reads an alias as its anchor's name anyway: no billion laughs
        options.setNestingDepthLimit(MAX_DEPTH);
        return options;
    }

    @SuppressWarnings("unchecked")
    static Config read(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1); // the file may grow while read: never more than the cap
        }
        if (bytes.length > MAX_BYTES) throw new ConfigException(file + ": a recipe may be at most " + MAX_BYTES + " bytes; this file is larger");
        try {
            Object parsed = YAML.readValue(bytes, Object.class);
            if (!(parsed instanceof Map<?, ?> map)) throw new ConfigException(file + ": the top level must be a mapping");
            for (Object key : map.keySet()) {
                if (!(key instanceof String)) throw new ConfigException(file + ": top-level key " + key + " must be a string");
            }
            return new Config(file.getFileName().toString(), (Map<String, ?>) map);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new ConfigException(file + (loc != null ? " line " + loc.getLineNr() : "") + ": " + e.getOriginalMessage());
        }
    }
}
