package gradus.quant;

import gradus.files.FileFormatException;
import gradus.io.Safetensors;
import gradus.io.Safetensors.DType;
import gradus.io.Safetensors.Raw;
import gradus.kernels.HalfWeight;
import gradus.kernels.Int4Weight;
import gradus.kernels.Int8Weight;
import gradus.kernels.WeightProduct;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compressed weight storages of {@link Scheme} (the kernels' {@link Int8Weight}, {@link Int4Weight},
 * {@link HalfWeight}): quantizing float weights, stacking rows, decoding one row, and the safetensors
 * tensors each is saved as:
 * <ul>
 * <li>int8: {@code <name>.qweight} I8 [out, in] and {@code <name>.scales} F32 [out] (W = scale·q);</li>
 * <li>int4: {@code <name>.qweight} U8 [out, in/2] (per 32-value block, byte t = value t + 8 in the low nibble,
 *     value t + 16 + 8 in the high one: llama.cpp's Q4_0 order) and {@code <name>.scales} F16 [out, in/group];</li>
 * <li>bf16, f16: {@code <name>.weight} BF16/F16 [out, in].</li>
 * </ul>
 */
public final class StoredWeights {
    private StoredWeights() {}

    /** W [out, in] (row-major from {@code off}) in {@code scheme}; {@code group} is int4's group size. */
    public static WeightProduct quantize(Scheme scheme, float[] w, int off, int out, int in, int group) {
        return switch (scheme) {
            case INT8 -> Int8Weight.quantize(w, off, out, in);
            case INT4 -> Int4Weight.quantize(w, off, out, in, group);
            case BF16 -> HalfWeight.of(HalfWeight.Format.BF16, w, off, out, in);
            case F16 -> HalfWeight.of(HalfWeight.Format.F16, w, off, out, in);
        };
    }

    public static Scheme scheme(WeightProduct w) {
        if (w instanceof Int8Weight) return Scheme.INT8;
        if (w instanceof Int4Weight) return Scheme.INT4;
        if (w instanceof HalfWeight h) return h.format() == HalfWeight.Format.BF16 ? Scheme.BF16 : Scheme.F16;
        throw new IllegalArgumentException("not a quantized weight: " + w.getClass().getSimpleName());
    }

    /** Bytes the weight takes on disk, its scales included. */
    public static long bytes(WeightProduct w) {
        long total = 0;
        for (Raw r : tensors("w", w).values()) total += r.data().length;
        return total;
    }

    /** The rows of {@code parts} (all one storage, one width) stacked: each row keeps its own scales, so nothing is requantized. */
    public static WeightProduct stackRows(List<WeightProduct> parts) {
        WeightProduct first = parts.get(0);
        int in = first.inFeatures(), out = 0;
        for (WeightProduct p : parts) {
            if (p.inFeatures() != in || p.getClass() != first.getClass() || scheme(p) != scheme(first)) {
                throw new IllegalArgumentException("cannot stack weights of different storage or width");
            }
            out += p.outFeatures();
        }
        return switch (first) {
            case Int8Weight a -> new Int8Weight(concat(parts, p -> ((Int8Weight) p).values()), concatF(parts, p -> ((Int8Weight) p).scales()), out, in);
            case Int4Weight a -> {
                for (WeightProduct p : parts) if (((Int4Weight) p).group() != a.group()) throw new IllegalArgumentException("cannot stack int4 weights of different group sizes");
                yield new Int4Weight(concat(parts, p -> ((Int4Weight) p).packed()), concatF(parts, p -> ((Int4Weight) p).scales()), out, in, a.group());
            }
            case HalfWeight a -> {
                short[] bits = new short[out * in];
                int at = 0;
                for (WeightProduct p : parts) {
                    short[] b = ((HalfWeight) p).bits();
                    System.arraycopy(b, 0, bits, at, b.length);
                    at += b.length;
                }
                yield new HalfWeight(a.format(), bits, out, in);
            }
            default -> throw new IllegalArgumentException("not a quantized weight: " + first.getClass().getSimpleName());
        };
    }

    private static byte[] concat(List<WeightProduct> parts, java.util.function.Function<WeightProduct, byte[]> get) {
        int n = 0;
        for (WeightProduct p : parts) n += get.apply(p).length;
        byte[] out = new byte[n];
        int at = 0;
        for (WeightProduct p : parts) {
            byte[] b = get.apply(p);
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }

    private static float[] concatF(List<WeightProduct> parts, java.util.function.Function<WeightProduct, float[]> get) {
        int n = 0;
        for (WeightProduct p : parts) n += get.apply(p).length;
        float[] out = new float[n];
        int at = 0;
        for (WeightProduct p : parts) {
            float[] b = get.apply(p);
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }

    /** Row {@code j} decoded into {@code dst[off..off+in)} (an embedding lookup). */
    public static void row(WeightProduct w, int j, float[] dst, int off) {
        int in = w.inFeatures();
        switch (w) {
            case Int8Weight q -> {
                float s = q.scales()[j];
                byte[] v = q.values();
                for (int p = 0; p < in; p++) dst[off + p] = s * v[j * in + p];
            }
            case Int4Weight q -> {
                for (int p = 0; p < in; p++) dst[off + p] = q.scales()[(j * in + p) / q.group()] * q.q(j, p);
            }
            case HalfWeight h -> {
                for (int p = 0; p < in; p++) dst[off + p] = h.value(j * in + p);
            }
            default -> throw new IllegalArgumentException("not a quantized weight: " + w.getClass().getSimpleName());
        }
    }

    /** The tensors {@code w} is saved as, named from {@code name} (see the class comment). */
    public static Map<String, Raw> tensors(String name, WeightProduct w) {
        Map<String, Raw> out = new LinkedHashMap<>();
        int o = w.outFeatures(), in = w.inFeatures();
        switch (w) {
            case Int8Weight q -> {
                out.put(name + ".qweight", new Raw(DType.I8, new int[]{o, in}, q.values()));
                out.put(name + ".scales", Raw.of(q.scales(), o));
            }
            case Int4Weight q -> {
                short[] half = new short[q.scales().length];
                for (int i = 0; i < half.length; i++) half[i] = Float.floatToFloat16(q.scales()[i]);
                out.put(name + ".qweight", new Raw(DType.U8, new int[]{o, in / 2}, q.packed()));
                out.put(name + ".scales", Raw.of(DType.F16, half, o, in / q.group()));
            }
            case HalfWeight h -> out.put(name + ".weight", Raw.of(h.format() == HalfWeight.Format.BF16 ? DType.BF16 : DType.F16, h.bits(), o, in));
            default -> throw new IllegalArgumentException("not a quantized weight: " + w.getClass().getSimpleName());
        }
        return out;
    }

    /** Reads back what {@link #tensors} wrote for a weight [out, in]; fails naming the tensor, the file and both shapes. */
    public static WeightProduct fromTensors(Scheme scheme, String name, Map<String, Raw> tensors, int out, int in, int group, Path file)
            throws FileFormatException {
        try {
            return switch (scheme) {
                case INT8 -> new Int8Weight(take(tensors, name + ".qweight", DType.I8, file, out, in).data(),
                        take(tensors, name + ".scales", DType.F32, file, out).floats(), out, in);
                case INT4 -> {
                    Int4Weight.checkGroup(in, group);
                    short[] half = take(tensors, name + ".scales", DType.F16, file, out, in / group).shorts();
                    float[] scales = new float[half.length];
                    for (int i = 0; i < half.length; i++) scales[i] = Float.float16ToFloat(half[i]);
                    yield new Int4Weight(take(tensors, name + ".qweight", DType.U8, file, out, in / 2).data(), scales, out, in, group);
                }
                case BF16 -> new HalfWeight(HalfWeight.Format.BF16, take(tensors, name + ".weight", DType.BF16, file, out, in).shorts(), out, in);
                case F16 -> new HalfWeight(HalfWeight.Format.F16, take(tensors, name + ".weight", DType.F16, file, out, in).shorts(), out, in);
            };
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, "tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The tensor {@code key}, removed from {@code tensors}, checked for dtype and shape. */
    static Raw take(Map<String, Raw> tensors, String key, DType dtype, Path file, int... shape) throws FileFormatException {
        Raw r = tensors.remove(key);
        if (r == null) throw new FileFormatException(file, "missing tensor '" + key + "'");
        if (r.dtype() != dtype || !Arrays.equals(r.shape(), shape)) {
            throw new FileFormatException(file, "tensor '" + key + "' is " + r.dtype() + " " + Arrays.toString(r.shape())
                    + ", expected " + dtype + " " + Arrays.toString(shape));
        }
        return r;
    }

    /** An F32 tensor as a float array, checked for shape. */
    static float[] floats(Map<String, Raw> tensors, String key, Path file, int... shape) throws FileFormatException {
        return take(tensors, key, DType.F32, file, shape).floats();
    }

    static Raw f32(float[] values, int... shape) {
        return Raw.of(values, shape);
    }

    static Safetensors.DType dtypeOf(Scheme s) {
        return switch (s) {
            case INT8 -> DType.I8;
            case INT4 -> DType.U8;
            case BF16 -> DType.BF16;
            case F16 -> DType.F16;
        };
    }
}
