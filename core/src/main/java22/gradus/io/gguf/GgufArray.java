package gradus.io.gguf;

import java.util.Arrays;

/**
 * A metadata array: {@code values} is a {@code long[]} for every integer type, {@code float[]}, {@code double[]},
 * {@code boolean[]}, {@code String[]}, or {@code GgufArray[]} for an array of arrays.
 */
public record GgufArray(GgufValueType elementType, Object values) {
    public int length() {
        return java.lang.reflect.Array.getLength(values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray a && a.elementType == elementType
                && Arrays.deepEquals(new Object[] {values}, new Object[] {a.values});
    }

    @Override
    public int hashCode() {
        return elementType.hashCode() * 31 + Arrays.deepHashCode(new Object[] {values});
    }
}
