package gradus.io;

import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.nn.Linear;
import gradus.optim.SGD;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.History;
import gradus.train.Loss;
import gradus.train.Trainer;
import gradus.train.callbacks.TensorBoard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class TensorBoardWriterTest {
    private static final HexFormat HEX = HexFormat.of();

    /** One decoded Event: wall time, step, file_version (or null), and the summary's tag → simple_value. */
    record Event(double wallTime, long step, String fileVersion, Map<String, Float> scalars) {}

    /** Bitwise CRC-32C (reflected polynomial 0x82F63B78), independent of java.util.zip.CRC32C. */
    static int crc32c(byte[] b, int off, int len) {
        int crc = ~0;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82F63B78 & -(crc & 1));
        }
        return ~crc;
    }

    static int mask(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    /** Reads TFRecord-framed Events, checking both CRCs, with a small protobuf decoder of its own. */
    static List<Event> read(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (in.hasRemaining()) {
            int start = in.position();
            long length = in.getLong();
            assertEquals(mask(crc32c(file, start, 8)), in.getInt(), "length CRC of record at " + start);
            byte[] data = new byte[(int) length];
            in.get(data);
            assertEquals(mask(crc32c(data, 0, data.length)), in.getInt(), "data CRC of record at " + start);
            events.add(decodeEvent(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN)));
        }
        return events;
    }

    private static Event decodeEvent(ByteBuffer b) {
        double wall = 0;
        long step = 0;
        String version = null;
        Map<String, Float> scalars = new LinkedHashMap<>();
        while (b.hasRemaining()) {
            int key = (int) varint(b);
            switch (key) {
                case 0x09 -> wall = b.getDouble();
                case 0x10 -> step = varint(b);
                case 0x1A -> version = new String(bytes(b), StandardCharsets.UTF_8);
                case 0x2A -> {
                    ByteBuffer summary = ByteBuffer.wrap(bytes(b)).order(ByteOrder.LITTLE_ENDIAN);
                    while (summary.hasRemaining()) {
                        assertEquals(0x0A, varint(summary), "Summary.value");
                        ByteBuffer value = ByteBuffer.wrap(bytes(summary)).order(ByteOrder.LITTLE_ENDIAN);
                        String tag = null;
                        Float v = null;
                        while (value.hasRemaining()) {
                            int k = (int) varint(value);
                            if (k == 0x0A) tag = new String(bytes(value), StandardCharsets.UTF_8);
                            else if (k == 0x15) v = value.getFloat();
                            else fail("unexpected Value field key " + k);
                        }
                        scalars.put(tag, v);
                    }
                }
                default -> fail("unexpected Event field key " + key);
            }
        }
        return new Event(wall, step, version, scalars);
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) return v;
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[(int) varint(b)];
        b.get(out);
        return out;
    }

    @Test
    void maskedCrcMatchesKnownValues() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, crc32c(check, 0, 9));          // the CRC-32C check value
        assertEquals(0xc78ab0e5, TensorBoardWriter.maskedCrc32c(check, 0, 9));
        assertEquals(mask(0xE3069283), TensorBoardWriter.maskedCrc32c(check, 0, 9));
        // serving-protocols.md test vectors: the length fields 24 and 26
        assertEquals(0x224b7fa3, TensorBoardWriter.maskedCrc32c(HEX.parseHex("1800000000000000"), 0, 8));
        assertEquals(0x2dd89b12, TensorBoardWriter.maskedCrc32c(HEX.parseHex("1a00000000000000"), 0, 8));
    }

    @Test
    void bytesMatchTheReferenceVectors() throws IOException {
        double[] times = {1700000000.0, 1700000001.0};
        int[] call = {0};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TensorBoardWriter w = TensorBoardWriter.onStream(out, () -> times[call[0]++])) {
            w.addScalar("loss", 0.5, 1);
        }
        String expected = "1800000000000000" + "a37f4b22" + "0900000040fc54d9411a0d627261696e2e4576656e743a32" + "eced8f9d"
                + "1a00000000000000" + "129bd82d" + "0900004040fc54d94110012a0d0a0b0a046c6f7373150000003f" + "97d67404";
        assertEquals(expected, HEX.formatHex(out.toByteArray()));
    }

    @Test
    void roundTripsSeveralScalarsLargeStepsAndNaN() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TensorBoardWriter w = TensorBoardWriter.onStream(out, () -> 12.25)) {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("epoch/loss", 0.125);
            values.put("epoch/val_accuracy", 0.875);
            values.put("epoch/lr", Double.NaN);
            w.addScalars(values, 300);                 // a two-byte varint
            w.addScalar("batch/loss", -2.5, 1L << 40);
            w.addScalar("schön", 1e-3, 0);
        }
        List<Event> events = read(out.toByteArray());
        assertEquals(4, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertTrue(events.get(0).scalars().isEmpty());
        Event e = events.get(1);
        assertEquals(12.25, e.wallTime());
        assertEquals(300, e.step());
        assertEquals(List.of("epoch/loss", "epoch/val_accuracy", "epoch/lr"), List.copyOf(e.scalars().keySet()));
        assertEquals(0.125f, e.scalars().get("epoch/loss"));
        assertTrue(e.scalars().get("epoch/lr").isNaN());
        assertEquals(1L << 40, events.get(2).step());
        assertEquals(-2.5f, events.get(2).scalars().get("batch/loss"));
        assertEquals(0, events.get(3).step());
        assertEquals(1e-3f, events.get(3).scalars().get("schön"));
    }

    @Test
    void createNamesTheFileForTensorBoardAndNeverOverwrites(@TempDir Path dir) throws IOException {
        Path logs = dir.resolve("run");
        try (TensorBoardWriter a = TensorBoardWriter.create(logs, () -> 1700000000.5);
             TensorBoardWriter b = TensorBoardWriter.create(logs, () -> 1700000000.5)) {
            assertTrue(a.file().getFileName().toString().matches("events\\.out\\.tfevents\\.1700000000\\.[A-Za-z0-9._-]+"), a.file().toString());
            assertEquals(a.file().getFileName() + ".1", b.file().getFileName().toString());
            // the version record is flushed at once, so TensorBoard can pick the file up before the first step
            assertEquals(List.of("brain.Event:2"), read(Files.readAllBytes(a.file())).stream().map(Event::fileVersion).toList());
        }
    }

    @Test
    void callbackLogsBatchLossAndEpochValues(@TempDir Path dir) throws IOException {
        Rng.manualSeed(3);
        Tensor x = Tensor.normal(new Rng(3), 0f, 1f, 40, 2);
        int[] y = new int[40];
        for (int i = 0; i < 40; i++) y[i] = x.get(i, 0) > 0 ? 1 : 0;
        TensorDataset data = new TensorDataset(x, IntTensor.of(y));
        var model = new Linear(2, 2);
        var trainer = Trainer.of(model).optimizer(new SGD(model.parameters(), 0.1)).loss(Loss.crossEntropy());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("events.out.tfevents.1.old"), "stale run");
        TensorBoard tb = new TensorBoard(dir, true);
        History h = trainer.callbacks(tb).fit(DataLoader.of(data).batchSize(16), DataLoader.of(data).batchSize(40), 2);

        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "the stale event file is replaced");
        }
        assertEquals(dir, tb.file().getParent());
        List<Event> events = read(Files.readAllBytes(tb.file()));
        // version, 3 batches, epoch 1, 3 batches, epoch 2
        assertEquals(9, events.size());
        List<Long> batchSteps = events.stream().filter(e -> e.scalars().containsKey("batch/loss")).map(Event::step).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), batchSteps);
        for (int epoch = 0; epoch < 2; epoch++) {
            Event e = events.get(4 + 4 * epoch);
            assertEquals(epoch + 1, e.step());
            Map<String, Double> logs = h.epochs().get(epoch);
            assertFalse(e.scalars().containsKey("epoch/epoch"));
            for (String key : List.of("loss", "val_loss", "lr", "seconds")) {
                assertEquals(logs.get(key).floatValue(), e.scalars().get("epoch/" + key), key);
            }
        }
        assertTrue(events.get(1).wallTime() > 1.6e9, "wall time in seconds since the epoch");
    }
}
