package gradus.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The facts about this machine that decide which kernels are fastest: CPU model, its feature flags, core count.
 * Read from /proc/cpuinfo (Linux); elsewhere the model is the OS architecture and the flags are unknown.
 */
public record Machine(String cpuModel, String flags, int cores) {
    /** Flags that change which kernels run fast, in the order they are named, with their usual names. */
    private static final Map<String, String> FEATURES = new java.util.LinkedHashMap<>();

    static {
        FEATURES.put("avx2", "AVX2");
        FEATURES.put("fma", "FMA");
        FEATURES.put("avx512f", "AVX-512F");
        FEATURES.put("avx512bw", "AVX-512BW");
        FEATURES.put("avx512vl", "AVX-512VL");
        FEATURES.put("avx512_vnni", "AVX-512-VNNI");
        FEATURES.put("avx_vnni", "AVX-VNNI");
        FEATURES.put("avx512_bf16", "AVX-512-BF16");
        FEATURES.put("amx_tile", "AMX");
        FEATURES.put("asimd", "NEON");
        FEATURES.put("asimddp", "NEON-dotprod");
        FEATURES.put("sve", "SVE");
        FEATURES.put("bf16", "BF16");
        FEATURES.put("i8mm", "I8MM");
    }

    private static final Machine THIS = parse(readCpuinfo(), Runtime.getRuntime().availableProcessors());

    public static Machine current() {
        return THIS;
    }

    /** From /proc/cpuinfo's text: x86's "model name"/"flags", or ARM's "Features" (and "CPU part" for want of a name). */
    static Machine parse(String cpuinfo, int cores) {
        String model = field(cpuinfo, "model name");
        if (model.isEmpty()) model = field(cpuinfo, "Hardware");
        if (model.isEmpty() && !field(cpuinfo, "CPU part").isEmpty()) {
            model = "CPU implementer " + field(cpuinfo, "CPU implementer") + " part " + field(cpuinfo, "CPU part");
        }
        if (model.isEmpty()) model = System.getProperty("os.arch");
        String flags = field(cpuinfo, "flags");
        if (flags.isEmpty()) flags = field(cpuinfo, "Features");
        return new Machine(model, flags.replaceAll("\\s+", " "), cores);
    }

    /** Whether the CPU reports {@code flag} (as /proc/cpuinfo spells it, e.g. "avx512f"). */
    public boolean has(String flag) {
        return List.of(flags.split(" ")).contains(flag);
    }

    /** The features of {@link #FEATURES} this CPU has, e.g. "AVX2 FMA AVX-512F … AVX-512-BF16"; "none known" if none. */
    public String features() {
        List<String> have = new ArrayList<>();
        FEATURES.forEach((flag, name) -> {
            if (has(flag)) have.add(name);
        });
        return have.isEmpty() ? "none known" : String.join(" ", have);
    }

    /** One line: model, cores, features, and the vector width the kernels use. */
    public String describe() {
        return cpuModel + ", " + cores + " cores, " + features() + "; " + VectorWidth.bits() + "-bit vectors ("
                + VectorWidth.FLOAT.length() + " floats)";
    }

    private static String field(String cpuinfo, String name) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) return line.substring(colon + 1).trim();
        }
        return "";
    }

    private static String readCpuinfo() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return ""; // not Linux
        }
    }
}
