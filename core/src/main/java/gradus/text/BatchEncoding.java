package gradus.text;

import gradus.tensor.IntTensor;

import java.util.List;

/** Encodings of several texts; once padded to one length they convert to [batch, length] tensors. */
public record BatchEncoding(List<Encoding> encodings) {
    public BatchEncoding {
        encodings = List.copyOf(encodings);
    }

    public int size() {
        return encodings.size();
    }

    public Encoding get(int i) {
        return encodings.get(i);
    }

    public int[][] ids() {
        return encodings.stream().map(Encoding::ids).toArray(int[][]::new);
    }

    public int[][] attentionMask() {
        return encodings.stream().map(Encoding::attentionMask).toArray(int[][]::new);
    }

    public IntTensor idsTensor() {
        return stack(encodings.stream().map(Encoding::ids).toList());
    }

    public IntTensor attentionMaskTensor() {
        return stack(encodings.stream().map(Encoding::attentionMask).toList());
    }

    public IntTensor typeIdsTensor() {
        return stack(encodings.stream().map(Encoding::typeIds).toList());
    }

    private static IntTensor stack(List<int[]> rows) {
        int length = rows.isEmpty() ? 0 : rows.getFirst().length;
        int[] data = new int[rows.size() * length];
        for (int i = 0; i < rows.size(); i++) {
            int[] row = rows.get(i);
            if (row.length != length) {
                throw new IllegalStateException("sequence " + i + " has " + row.length + " tokens, sequence 0 has " + length
                        + ": pad the batch (BatchOptions.padToLongest() or padTo(n)) to make a tensor");
            }
            System.arraycopy(row, 0, data, i * length, length);
        }
        return IntTensor.of(data, rows.size(), length);
    }
}
