package gradus.io;

import gradus.files.FileFormatException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Strict JSON for Gradus files: duplicate keys and trailing garbage are errors, output is pretty and stable. */
final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    // Two-space indent, "key": value, one array element per line: the layout of Python's json.dumps(indent=2).
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withArrayValueSpacing(Separators.Spacing.NONE))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withObjectIndenter(new DefaultIndenter("  ", "\n")));

    private Json() {}

    /** Indented JSON ending with a newline. */
    static String pretty(Object value) throws IOException {
        return PRETTY.writeValueAsString(value) + "\n";
    }

    /** Reads a file holding one JSON object; syntax errors name the file, line and column. */
    static Map<String, Object> readObject(Path file) throws IOException {
        return readObject(file, Files.readAllBytes(file));
    }

    /** Parses {@code bytes}, read from {@code file} (named in errors), as one JSON object. */
    static Map<String, Object> readObject(Path file, byte[] bytes) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            var at = e.getLocation();
            throw new FileFormatException(file, "invalid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": " + e.getOriginalMessage(), e);
        } catch (java.io.CharConversionException e) { // Jackson guessed UTF-16/32 from the first bytes, and they are not
            throw new FileFormatException(file, "invalid JSON: not UTF-8 text (" + e.getMessage() + ")", e);
        }
        if (root == null || root.isMissingNode()) throw new FileFormatException(file, "empty file, expected a JSON object");
        if (!root.isObject()) throw new FileFormatException(file, "expected a JSON object, got " + root.getNodeType().toString().toLowerCase());
        return MAPPER.convertValue(root, new TypeReference<LinkedHashMap<String, Object>>() {});
    }
}
