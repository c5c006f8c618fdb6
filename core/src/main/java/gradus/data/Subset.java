package gradus.data;

/** A view of some examples of another dataset, addressed through an index map (nothing is copied). */
final class Subset implements Dataset {
    private final Dataset source;
    private final int[] indices;

    Subset(Dataset source, int[] indices) {
        for (int i : indices) {
            if (i < 0 || i >= source.size()) {
                throw new IndexOutOfBoundsException("subset index " + i + " out of range for a dataset of " + source.size() + " examples");
            }
        }
        this.source = source;
        this.indices = indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Batch get(int[] idx) {
        return source.get(map(idx));
    }

    @Override
    public Dataset subset(int[] idx) {
        return new Subset(source, map(idx));
    }

    private int[] map(int[] idx) {
        int[] mapped = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= indices.length) {
                throw new IndexOutOfBoundsException("example " + idx[i] + " out of range for a subset of " + indices.length);
            }
            mapped[i] = indices[idx[i]];
        }
        return mapped;
    }
}
