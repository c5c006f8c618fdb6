package gradus.data;

/** A finite, indexable collection of examples that can be gathered into batches. */
public interface Dataset {
    int size();

    /** The examples at {@code indices}, stacked along a new first dimension. */
    Batch get(int[] indices);

    /** The examples at {@code indices}, in that order, as a dataset of their own. */
    default Dataset subset(int[] indices) {
        return new Subset(this, indices);
    }
}
