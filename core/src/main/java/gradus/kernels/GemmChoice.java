package gradus.kernels;

import gradus.files.AtomicFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * What {@code auto} runs for each {@link ShapeClass}, with the measured GFLOPS that decided it. Kept in a small file
 * per machine under the cache directory ({@code ~/.gradus} unless {@code -Dgradus.cacheDir}), named by a hash of
 * {@link #key}: a change of CPU, core count, JDK, vector width, native library or these kernels measures again.
 */
record GemmChoice(Map<ShapeClass, Pick> picks, String origin) {
    /** Bump when the kernels or the shape classes change enough that old measurements mislead. */
    static final int KERNELS_VERSION = 5;

    record Pick(Blas.Provider provider, double javaGflops, double openBlasGflops) {}

    boolean nativeFor(int n, int k) {
        return picks.get(ShapeClass.of(n, k)).provider == Blas.Provider.OPENBLAS;
    }

    /** E.g. "shallow java (java 20.1 vs openblas 14.2 GFLOPS per core), …; measured now". */
    String summary() {
        StringJoiner j = new StringJoiner(", ", "", "; " + origin);
        picks.forEach((c, p) -> j.add(String.format(Locale.ROOT, "%s %s (java %.1f vs openblas %.1f GFLOPS per core)",
                c.label(), p.provider.name().toLowerCase(Locale.ROOT), p.javaGflops, p.openBlasGflops)));
        return j.toString();
    }

    /** The facts a measurement holds for: the machine, the JDK, the vector width, the native library, these kernels. */
    static String key(Machine machine, String jdk, int vectorBits, String nativeLibrary) {
        return "cpu=" + machine.cpuModel() + "; flags=" + machine.flags() + "; cores=" + machine.cores() + "; jdk=" + jdk
                + "; vectorBits=" + vectorBits + "; native=" + nativeLibrary + "; kernels=" + KERNELS_VERSION;
    }

    static Path file(Path dir, String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve("gemm-choice-" + HexFormat.of().formatHex(hash, 0, 8) + ".properties");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The cached choice for {@code key}, else {@code measure}'s, then stored (atomically: readers see the old file or
     * the new one). A file that does not parse, or that holds another key, is noted on {@code notes} and replaced.
     */
    static GemmChoice loadOrMeasure(Path dir, String key, Supplier<GemmChoice> measure, PrintStream notes) {
        Path file = file(dir, key);
        try {
            return parse(Files.readString(file), key, "cached in " + file);
        } catch (NoSuchFileException e) {
            // first use with these facts
        } catch (IOException | IllegalArgumentException e) {
            notes.println("gradus: ignoring the GEMM choice cache " + file + " (" + e.getMessage() + "); measuring again");
        }
        GemmChoice measured = measure.get();
        try {
            AtomicFiles.writeString(file, measured.serialize(key));
            return new GemmChoice(measured.picks, measured.origin + ", cached in " + file);
        } catch (IOException | RuntimeException e) {
            notes.println("gradus: could not cache the GEMM choice in " + file + " (" + e.getMessage() + ")");
            return measured;
        }
    }

    String serialize(String key) {
        StringBuilder s = new StringBuilder("# Gradus: which GEMM provider auto runs per shape class, and the GFLOPS"
                + " per core that decided it\nkey=" + key + "\n");
        picks.forEach((c, p) -> s.append(c.label()).append('=').append(p.provider.name().toLowerCase(Locale.ROOT))
                .append(' ').append(p.javaGflops).append(' ').append(p.openBlasGflops).append('\n'));
        return s.toString();
    }

    /** The choice in a cache file's text; IllegalArgumentException if it is not a complete one for {@code key}. */
    static GemmChoice parse(String text, String key, String origin) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("a line without '='");
            fields.put(line.substring(0, eq), line.substring(eq + 1));
        }
        if (!key.equals(fields.get("key"))) throw new IllegalArgumentException("it was measured for other facts");
        Map<ShapeClass, Pick> picks = new EnumMap<>(ShapeClass.class);
        for (ShapeClass c : ShapeClass.values()) {
            String v = fields.get(c.label());
            if (v == null) throw new IllegalArgumentException("no entry for " + c.label());
            String[] parts = v.trim().split(" ");
            try {
                Blas.Provider p = Blas.Provider.valueOf(parts[0].toUpperCase(Locale.ROOT));
                if (p == Blas.Provider.AUTO || parts.length != 3) throw new IllegalArgumentException(v);
                picks.put(c, new Pick(p, Double.parseDouble(parts[1]), Double.parseDouble(parts[2])));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad entry " + c.label() + "=" + v);
            }
        }
        return new GemmChoice(picks, origin);
    }
}
