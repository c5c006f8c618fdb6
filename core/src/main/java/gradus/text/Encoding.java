package gradus.text;

/** One encoded text: token ids, their type (segment) ids, and the attention mask (1 for tokens, 0 for padding). */
public record Encoding(int[] ids, int[] typeIds, int[] attentionMask) {
    public Encoding {
        if (typeIds.length != ids.length || attentionMask.length != ids.length) {
            throw new IllegalArgumentException("ids, typeIds and attentionMask differ in length: " + ids.length + ", " + typeIds.length + ", " + attentionMask.length);
        }
    }

    public int length() {
        return ids.length;
    }
}
