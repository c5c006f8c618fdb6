package gradus.text;

/**
 * String → int map that looks words up by a region of a larger text, so scanning a document allocates nothing
 * for words already present. Open addressing with linear probing; hashes agree with String.hashCode.
 */
final class WordTable {
    private String[] keys = new String[1024];
    private int[] values = new int[1024];
    private int size;

    int size() {
        return size;
    }

    /** The value of text[start, end), or -1. */
    int get(String text, int start, int end) {
        int mask = keys.length - 1;
        for (int i = hash(text, start, end) & mask; ; i = (i + 1) & mask) {
            String k = keys[i];
            if (k == null) return -1;
            if (matches(k, text, start, end)) return values[i];
        }
    }

    void put(String key, int value) {
        if (2 * (size + 1) > keys.length) grow();
        int mask = keys.length - 1;
        int i = spread(key.hashCode()) & mask;
        for (; keys[i] != null; i = (i + 1) & mask) {
            if (keys[i].equals(key)) {
                values[i] = value;
                return;
            }
        }
        keys[i] = key;
        values[i] = value;
        size++;
    }

    /** Adds {@code by} to the count of text[start, end), inserting the word at 0 first if needed. */
    void increment(String text, int start, int end, int by) {
        int mask = keys.length - 1;
        int i = hash(text, start, end) & mask;
        for (; keys[i] != null; i = (i + 1) & mask) {
            if (matches(keys[i], text, start, end)) {
                values[i] += by;
                return;
            }
        }
        put(text.substring(start, end), by);
    }

    /** Calls {@code action} for every entry. */
    void forEach(java.util.function.ObjIntConsumer<String> action) {
        for (int i = 0; i < keys.length; i++) if (keys[i] != null) action.accept(keys[i], values[i]);
    }

    private static boolean matches(String key, String text, int start, int end) {
        return key.length() == end - start && text.regionMatches(start, key, 0, end - start);
    }

    private static int hash(String text, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) h = 31 * h + text.charAt(i);
        return spread(h);
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    private void grow() {
        String[] oldKeys = keys;
        int[] oldValues = values;
        keys = new String[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) if (oldKeys[i] != null) put(oldKeys[i], oldValues[i]);
    }
}
