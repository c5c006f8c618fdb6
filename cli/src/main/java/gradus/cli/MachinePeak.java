package gradus.cli;

import gradus.kernels.Machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The machine's peak fp32 rate: cores × FMA units × vector lanes × 2 flops × clock. Lanes come from the CPU's
 * flags (16 with AVX-512, 8 with AVX2/FMA, 4 otherwise) and the clock from /proc/cpuinfo, so under a hypervisor it
 * is the nominal clock. Two FMA units per core holds for current x86 server cores (Zen 2-5, Skylake-SP and later).
 */
record MachinePeak(int cores, int fmaUnits, int lanes, double mhz) {
    static MachinePeak detect(int cores) {
        String cpuinfo = "";
        try {
            cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            // not Linux: an unknown clock (Machine falls back to no flags, so to the JVM's vector width)
        }
        Machine machine = Machine.current();
        int lanes = machine.has("avx512f") ? 16 : machine.has("fma") ? 8
                : jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        double mhz = 0;
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("cpu MHz")) mhz = Math.max(mhz, Double.parseDouble(line.substring(line.indexOf(':') + 1).trim()));
        }
        return new MachinePeak(cores, 2, lanes, mhz);
    }

    double gflops() {
        return cores * fmaUnits * lanes * 2 * mhz / 1000;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d cores × %d FMA units × %d lanes × 2 flops × %.0f MHz", cores, fmaUnits, lanes, mhz);
    }
}
