package gradus.kernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The data caches one core sees, in bytes: from Linux's /sys/devices/system/cpu/cpu0/cache, else from glibc's
 * {@code getconf} (which asks CPUID; some VMs have no cache directory in sysfs), else typical sizes of current
 * server cores. {@code source} says which.
 */
record CacheSizes(long l1d, int l1Ways, long l2, int l2Ways, long l3, String source) {
    static final CacheSizes TYPICAL = new CacheSizes(32 << 10, 8, 512 << 10, 8, 8 << 20, "typical sizes (none reported)");
    private static final CacheSizes THIS = detect(Path.of("/sys/devices/system/cpu/cpu0/cache"));

    static CacheSizes current() {
        return THIS;
    }

    static CacheSizes detect(Path sysfs) {
        CacheSizes fromSysfs = fromSysfs(sysfs);
        if (fromSysfs != null) return fromSysfs;
        try {
            Process p = new ProcessBuilder("getconf", "-a").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                CacheSizes fromGetconf = fromGetconf(out);
                if (fromGetconf != null) return fromGetconf;
            }
        } catch (IOException | RuntimeException e) {
            // no getconf: not glibc
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return TYPICAL;
    }

    /** index*&#47;{level,type,size,ways_of_associativity}, e.g. level 1, type Data, size 48K. Null without L1d and L2. */
    static CacheSizes fromSysfs(Path dir) {
        long[] size = new long[4];
        int[] ways = new int[4];
        try (var entries = Files.list(dir)) {
            for (Path index : entries.filter(p -> p.getFileName().toString().startsWith("index")).toList()) {
                String type = read(index, "type");
                if (type.equals("Instruction")) continue;
                int level = Integer.parseInt(read(index, "level"));
                if (level < 1 || level > 3) continue;
                size[level] = parseSize(read(index, "size"));
                String w = Files.exists(index.resolve("ways_of_associativity")) ? read(index, "ways_of_associativity") : "0";
                ways[level] = Integer.parseInt(w);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (size[1] <= 0 || size[2] <= 0) return null;
        return new CacheSizes(size[1], ways[1], size[2], ways[2], size[3], "sysfs");
    }

    /** LEVEL1_DCACHE_SIZE, LEVEL1_DCACHE_ASSOC, LEVEL2_CACHE_SIZE, … from {@code getconf -a}. Null without L1d and L2. */
    static CacheSizes fromGetconf(String out) {
        long l1 = getconf(out, "LEVEL1_DCACHE_SIZE"), l2 = getconf(out, "LEVEL2_CACHE_SIZE");
        if (l1 <= 0 || l2 <= 0) return null;
        return new CacheSizes(l1, (int) getconf(out, "LEVEL1_DCACHE_ASSOC"), l2, (int) getconf(out, "LEVEL2_CACHE_ASSOC"),
                getconf(out, "LEVEL3_CACHE_SIZE"), "getconf");
    }

    private static long getconf(String out, String name) {
        for (String line : out.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals(name)) {
                try {
                    return Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** "48K", "1024K", "32M", "512" (bytes). */
    static long parseSize(String s) {
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = unit == 'K' ? 1 << 10 : unit == 'M' ? 1 << 20 : unit == 'G' ? 1L << 30 : 1;
        return Long.parseLong(scale == 1 ? s : s.substring(0, s.length() - 1)) * scale;
    }

    private static String read(Path dir, String name) throws IOException {
        return Files.readString(dir.resolve(name)).trim();
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "L1d %d KiB (%d-way), L2 %d KiB (%d-way), L3 %d MiB, from %s",
                l1d >> 10, l1Ways, l2 >> 10, l2Ways, l3 >> 20, source);
    }
}
