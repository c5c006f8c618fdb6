package gradus.spark.ml;

import gradus.nn.Layers;
import gradus.nn.Module;
import gradus.spark.Weights;
import gradus.tensor.Tensor;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;

/** Scores one partition in batches with the executor's copy of the model (built at most once per JVM and model). */
final class PartitionScorer implements MapPartitionsFunction<Row, Row> {
    /** The models this JVM has built, by model uid and broadcast: tasks of one transform share one. */
    private static final Map<String, Module> BUILT = new ConcurrentHashMap<>();
    /** How many times this JVM built a model: a test checks it is once per executor. */
    static final java.util.concurrent.atomic.AtomicInteger BUILDS = new java.util.concurrent.atomic.AtomicInteger();

    private final String key;
    private final Map<String, Object> config;
    private final Broadcast<Weights> weights;
    private final int[] shape;
    private final boolean classification;
    private final int batchSize, featuresIndex;

    PartitionScorer(String key, Map<String, Object> config, Broadcast<Weights> weights, int[] shape, boolean classification,
                    int batchSize, int featuresIndex) {
        this.key = key;
        this.config = config;
        this.weights = weights;
        this.shape = shape;
        this.classification = classification;
        this.batchSize = batchSize;
        this.featuresIndex = featuresIndex;
    }

    private Module model() {
        return BUILT.computeIfAbsent(key, k -> {
            Module m = Layers.fromConfig(config);
            m.loadStateDict(weights.value().toStateDict());
            m.eval(); // forward in eval mode reads the weights only: tasks of this executor share it
            BUILDS.incrementAndGet();
            return m;
        });
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        Module model = model();
        int width = 1;
        for (int d : shape) width *= d;
        int w = width;
        return new Iterator<>() {
            private final List<Row> pending = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                if (next < pending.size()) return true;
                if (!rows.hasNext()) return false;
                score();
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return pending.get(next++);
            }

            private void score() {
                List<Row> batch = new ArrayList<>(batchSize);
                while (rows.hasNext() && batch.size() < batchSize) batch.add(rows.next());
                int n = batch.size();
                float[] x = new float[n * w];
                for (int i = 0; i < n; i++) {
                    float[] f = FeatureColumns.features(batch.get(i), featuresIndex);
                    if (f.length != w) {
                        throw new IllegalArgumentException("row " + batch.get(i) + ": " + f.length + " features, the model takes " + w);
                    }
                    System.arraycopy(f, 0, x, i * w, w);
                }
                int[] full = new int[shape.length + 1];
                full[0] = n;
                System.arraycopy(shape, 0, full, 1, shape.length);
                Tensor out = model.predict(Tensor.of(x, full));
                int k = out.numel() / n;
                float[] values = out.contiguous().toArray();
                float[] probs = classification ? out.reshape(n, k).softmax(1).contiguous().toArray() : null;
                pending.clear();
                next = 0;
                for (int i = 0; i < n; i++) {
                    Row row = batch.get(i);
                    Object[] cells = new Object[row.length() + (classification ? 2 : 1)];
                    for (int c = 0; c < row.length(); c++) cells[c] = row.get(c);
                    if (classification) {
                        double[] p = new double[k];
                        int best = 0;
                        for (int j = 0; j < k; j++) {
                            p[j] = probs[i * k + j];
                            if (values[i * k + j] > values[i * k + best]) best = j;
                        }
                        cells[row.length()] = (double) best;
                        cells[row.length() + 1] = Vectors.dense(p);
                    } else {
                        cells[row.length()] = (double) values[i * k];
                    }
                    pending.add(RowFactory.create(cells));
                }
            }
        };
    }
}
