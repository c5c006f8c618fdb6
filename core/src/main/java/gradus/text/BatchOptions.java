package gradus.text;

/**
 * How {@link Tokenizer#encodeBatch} shapes its output: special tokens or not, truncation to {@code maxLength} tokens
 * (0 = none; special tokens included, dropped from the right), and right padding with the pad token.
 */
public record BatchOptions(boolean addSpecialTokens, int maxLength, Padding padding, int padLength, int padToMultipleOf) {
    public enum Padding {
        /** Sequences keep their own lengths. */
        NONE,
        /** Every sequence is padded to the longest one in the batch. */
        LONGEST,
        /** Every sequence is padded to {@code padLength} (and truncated to it unless {@code maxLength} is smaller). */
        FIXED
    }

    /** The longest padded sequence (and the largest pad_to_multiple_of): far beyond any model's context, small enough to allocate. */
    public static final int MAX_PAD_LENGTH = 1 << 20;

    /** Special tokens, no truncation, no padding. */
    public static final BatchOptions DEFAULT = new BatchOptions(true, 0, Padding.NONE, 0, 0);

    public BatchOptions {
        if (maxLength < 0) throw new IllegalArgumentException("maxLength must be >= 0 (0 = no truncation), got " + maxLength);
        if (padding == null) throw new IllegalArgumentException("padding must not be null");
        if (padding == Padding.FIXED && padLength < 1) throw new IllegalArgumentException("fixed padding needs padLength >= 1, got " + padLength);
        if (padToMultipleOf < 0) throw new IllegalArgumentException("padToMultipleOf must be >= 0, got " + padToMultipleOf);
        if (padLength > MAX_PAD_LENGTH || padToMultipleOf > MAX_PAD_LENGTH) {
            throw new IllegalArgumentException("padding lengths are capped at " + MAX_PAD_LENGTH + " tokens, got padLength="
                    + padLength + ", padToMultipleOf=" + padToMultipleOf);
        }
    }

    public BatchOptions withSpecialTokens(boolean add) {
        return new BatchOptions(add, maxLength, padding, padLength, padToMultipleOf);
    }

    public BatchOptions truncateTo(int maxLength) {
        return new BatchOptions(addSpecialTokens, maxLength, padding, padLength, padToMultipleOf);
    }

    public BatchOptions padToLongest() {
        return new BatchOptions(addSpecialTokens, maxLength, Padding.LONGEST, 0, padToMultipleOf);
    }

    /** Pads (and truncates) every sequence to exactly {@code length} tokens. */
    public BatchOptions padTo(int length) {
        return new BatchOptions(addSpecialTokens, maxLength, Padding.FIXED, length, padToMultipleOf);
    }

    public BatchOptions noPadding() {
        return new BatchOptions(addSpecialTokens, maxLength, Padding.NONE, 0, padToMultipleOf);
    }

    /** Rounds padded lengths up to a multiple of {@code k} (0 = off). */
    public BatchOptions padToMultipleOf(int k) {
        return new BatchOptions(addSpecialTokens, maxLength, padding, padLength, k);
    }
}
