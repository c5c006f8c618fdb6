package gradus.spark.ml;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;

/** Reads a features column (an ML vector or an array of numbers) and a numeric label column as floats. */
final class FeatureColumns {
    private FeatureColumns() {}

    /** Refuses a missing column or one of another type, naming it and what it holds. */
    static void check(StructType schema, String features, String label) {
        DataType f = type(schema, features);
        boolean ok = f instanceof VectorUDT || f instanceof ArrayType a && a.elementType() instanceof NumericType;
        if (!ok) throw new IllegalArgumentException("features column '" + features + "' must be a vector or an array of numbers, got " + f.simpleString());
        if (label != null && !(type(schema, label) instanceof NumericType)) {
            throw new IllegalArgumentException("label column '" + label + "' must be numeric (StringIndexer turns strings into indices), got "
                    + type(schema, label).simpleString());
        }
    }

    private static DataType type(StructType schema, String column) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("no column '" + column + "' among " + Arrays.toString(schema.fieldNames()));
        }
        return schema.apply(column).dataType();
    }

    static float[] features(Row row, int index) {
        Object v = row.get(index);
        if (v == null) throw new IllegalArgumentException("features column '" + row.schema().fieldNames()[index] + "' is null in row " + row);
        if (v instanceof Vector vector) {
            double[] d = vector.toArray();
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return f;
        }
        List<Object> list = row.getList(index);
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) f[i] = ((Number) list.get(i)).floatValue();
        return f;
    }

    static double label(Row row, int index) {
        if (row.isNullAt(index)) throw new IllegalArgumentException("label column '" + row.schema().fieldNames()[index] + "' is null in row " + row);
        return ((Number) row.get(index)).doubleValue();
    }
}
