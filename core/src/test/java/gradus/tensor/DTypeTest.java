package gradus.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FLOAT64 tensors: creation, casts (differentiable), views over double storage, and the float32-only accessors. */
class DTypeTest {

    @Test
    void float64TensorsKeepDoublePrecisionThroughOpsAndViews() {
        Tensor x = Tensor.of(new double[]{1 + 1e-12, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(DType.FLOAT64, x.dtype());
        Tensor y = x.t().mul(x.t()).sum(0, false);          // a strided view, elementwise, a reduction
        assertEquals(DType.FLOAT64, y.dtype());
        assertEquals((1 + 1e-12) * (1 + 1e-12) + 4 + 9, y.getDouble(0), 1e-15); // beyond float precision
        assertEquals(1 + 1e-12, x.narrow(1, 0, 1).contiguous().getDouble(0, 0), 0);
        assertTrue(x.toString().contains("dtype=float64"), x.toString());
    }

    @Test
    void castRoundsToFloatAndCarriesTheGradientBack() {
        Tensor x = Tensor.of(new double[]{0.1, 0.2}, 2).requiresGrad(true);
        Tensor f = x.to(DType.FLOAT32);
        assertArrayEquals(new float[]{0.1f, 0.2f}, f.toArray());
        f.mul(3f).sum().backward();
        assertEquals(DType.FLOAT64, x.grad().dtype());
        assertArrayEquals(new double[]{3, 3}, x.grad().toDoubleArray(), 0);
        Tensor same = Tensor.ones(2);
        assertSame(same, same.to(DType.FLOAT32));
    }

    @Test
    void float32OnlyAccessorsNameTheDtypeAndShape() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 2, 3);
        var e = assertThrows(IllegalStateException.class, x::data);
        assertEquals("data() reads a float32 array, but this tensor of shape [2, 3] is FLOAT64; use toDoubleArray() or to(DType.FLOAT32)",
                e.getMessage());
        assertThrows(IllegalStateException.class, x::toArray);
        var bad = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[5], 2, 3));
        assertEquals("data has 5 values but shape [2, 3] needs 6", bad.getMessage());
    }
}
