package gradus.llm;

import gradus.files.FileFormatException;
import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufArray;
import gradus.io.gguf.GgufFile;
import gradus.io.gguf.GgufTensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code gradus info} prints for a language model: a GGUF file's metadata (arrays by length), tensors by type and
 * Llama configuration ({@link #describe}); a Hugging Face folder's configuration, tensors by type and the files that
 * {@link LanguageModel#open} reads with it ({@link #describeFolder}).
 */
public final class GgufSummary {
    private GgufSummary() {}

    public static String describeFolder(Path folder) throws IOException {
        Path configFile = folder.resolve("config.json");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var config = json.readTree(configFile.toFile());
        StringBuilder out = new StringBuilder();
        out.append(folder).append(": Hugging Face folder, model_type ").append(config.path("model_type").asText()).append('\n');
        out.append("llama: ").append(HfCheckpoint.config(configFile, config)).append('\n');
        try (Arena arena = Arena.ofConfined()) {
            tensorsByType(HfCheckpoint.tensors(folder, arena).values(), out);
        }
        for (String file : new String[] {"tokenizer.json", "tokenizer_config.json", "generation_config.json"}) {
            out.append(String.format(Locale.ROOT, "%-22s %s%n", file, Files.isRegularFile(folder.resolve(file)) ? "present" : "absent"));
        }
        return out.toString();
    }

    public static String describe(Path file) throws IOException {
        StringBuilder out = new StringBuilder();
        try (GgufFile gguf = GgufFile.open(file)) {
            out.append(String.format(Locale.ROOT, "%s: GGUF v3, %,d bytes, alignment %d, %d tensors, %d metadata keys%n",
                    file, gguf.size(), gguf.alignment(), gguf.tensors().size(), gguf.metadata().size()));
            gguf.metadata().forEach((key, value) -> out.append("  ").append(key).append(" = ").append(shown(value)).append('\n'));
            tensorsByType(gguf.tensors().values(), out);
            if ("gpt2".equals(gguf.metadata().get("general.architecture"))) {
                try {
                    out.append("gpt2: ").append(new Gpt2(gguf));
                } catch (FileFormatException e) {
                    out.append("not runnable as a GPT-2 model: ").append(e.getMessage());
                }
            } else {
                try {
                    out.append("llama: ").append(LlamaConfig.of(gguf));
                } catch (FileFormatException e) {
                    out.append("not runnable as a Llama model: ").append(e.getMessage());
                }
            }
        }
        return out.toString();
    }

    /** Tensors, elements and bytes per type, and the parameter count. */
    private static void tensorsByType(Iterable<GgufTensor> tensors, StringBuilder out) {
        Map<GgmlType, long[]> byType = new TreeMap<>(); // type → {tensors, elements, bytes}
        for (GgufTensor t : tensors) {
            long[] sums = byType.computeIfAbsent(t.type(), k -> new long[3]);
            sums[0]++;
            sums[1] += t.elements();
            sums[2] += t.data().byteSize();
        }
        long parameters = 0;
        for (var e : byType.entrySet()) {
            long[] s = e.getValue();
            parameters += s[1];
            out.append(String.format(Locale.ROOT, "tensors %-5s %4d, %,d elements, %,d bytes%n", e.getKey(), s[0], s[1], s[2]));
        }
        out.append(String.format(Locale.ROOT, "parameters %,d%n", parameters));
    }

    private static String shown(Object value) {
        if (value instanceof GgufArray a) return "[" + a.length() + " × " + a.elementType() + "]";
        if (value instanceof String s) return s.length() > 80 ? '"' + s.substring(0, 80) + "…\" (" + s.length() + " chars)" : '"' + s + '"';
        return String.valueOf(value);
    }
}
