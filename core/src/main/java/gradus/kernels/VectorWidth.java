package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float species every kernel uses: the CPU's preferred width (512 bits with AVX-512, 256 with AVX2, 128 with
 * NEON), or a narrower one forced with {@code -Dgradus.vectorBits=128|256|512}, so that one machine can run the
 * code paths of every width (the tests do). A width above the CPU's would run emulated, far slower: it is refused.
 */
public final class VectorWidth {
    /** The species of {@link VectorMath}, {@link MicroKernel} and every vectorized loop. */
    public static final VectorSpecies<Float> FLOAT = choose(System.getProperty("gradus.vectorBits"),
            FloatVector.SPECIES_PREFERRED.vectorBitSize());

    private VectorWidth() {}

    public static int bits() {
        return FLOAT.vectorBitSize();
    }

    /** The species for a {@code gradus.vectorBits} setting (null: the preferred one) on a CPU of {@code preferredBits}. */
    static VectorSpecies<Float> choose(String setting, int preferredBits) {
        if (setting == null || setting.isBlank()) return FloatVector.SPECIES_PREFERRED;
        int bits;
        try {
            bits = Integer.parseInt(setting.trim());
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("-Dgradus.vectorBits=" + setting + ": expected 128, 256 or 512");
        }
        if (bits > preferredBits) {
            throw new IllegalArgumentException("-Dgradus.vectorBits=" + bits + " is wider than this CPU's "
                    + preferredBits + "-bit vectors");
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }
}
