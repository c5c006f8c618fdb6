package gradus.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class IdxTest {
    @TempDir
    Path dir;

    private static IdxData images() {
        byte[] pixels = new byte[3 * 4 * 5];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i * 37);
        return IdxData.unsignedBytes(pixels, 3, 4, 5);
    }

    @Test
    void roundTripsRawAndGzip() {
        IdxData idx = images();
        for (boolean gzip : new boolean[]{false, true}) {
            Path f = dir.resolve("images" + gzip);
            IdxWriter.write(f, idx, gzip);
            IdxData back = IdxReader.read(f);
            assertEquals(idx, back);
            assertArrayEquals(new int[]{3, 4, 5}, back.shape());
        }
    }

    @Test
    void writesTheStandardHeader() throws IOException {
        Path f = dir.resolve("labels");
        IdxWriter.write(f, IdxData.unsignedBytes(new byte[]{7, 2, 9}, 3), false);
        assertArrayEquals(new byte[]{0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 9}, Files.readAllBytes(f));
    }

    @Test
    void detectsGzipByContentNotName() throws IOException {
        Path gzipWithoutExtension = dir.resolve("images-idx3-ubyte");
        IdxWriter.write(gzipWithoutExtension, images(), true);
        assertEquals(0x1F, Files.readAllBytes(gzipWithoutExtension)[0] & 0xFF);
        assertEquals(images(), IdxReader.read(gzipWithoutExtension));
        Path rawNamedGz = dir.resolve("images-idx3-ubyte.gz");
        IdxWriter.write(rawNamedGz, images(), false);
        assertEquals(images(), IdxReader.read(rawNamedGz));
    }

    @Test
    void convertsEveryElementType() {
        ByteBuffer ints = ByteBuffer.allocate(12).putInt(-5).putInt(7).putInt(1 << 20);
        IdxData i = new IdxData(IdxType.INT, new int[]{3}, ints.array());
        assertArrayEquals(new int[]{-5, 7, 1 << 20}, i.toInts());
        assertArrayEquals(new float[]{-5, 7, 1 << 20}, i.toFloats(1f));
        ByteBuffer floats = ByteBuffer.allocate(8).putFloat(1.5f).putFloat(-2f);
        IdxData f = new IdxData(IdxType.FLOAT, new int[]{2, 1}, floats.array());
        Path file = dir.resolve("floats");
        IdxWriter.write(file, f, true);
        assertArrayEquals(new float[]{3f, -4f}, IdxReader.read(file).toFloats(2f));
        assertArrayEquals(new float[]{255f, 1f}, IdxData.unsignedBytes(new byte[]{(byte) 255, 1}, 2).toFloats(1f));
        assertArrayEquals(new int[]{-1, 1}, new IdxData(IdxType.SIGNED_BYTE, new int[]{2}, new byte[]{(byte) 255, 1}).toInts());
        assertThrows(IllegalStateException.class, f::toInts);
    }

    @Test
    void truncatedRawFileNamesFileAndSizes() throws IOException {
        Path full = dir.resolve("full");
        IdxWriter.write(full, images(), false);
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut-images");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 7));
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("[3, 4, 5]")
                && e.getMessage().contains("only 53 follow"), e.getMessage());

        Path headerOnly = dir.resolve("header-only");
        Files.write(headerOnly, Arrays.copyOf(bytes, 9));
        assertTrue(assertThrows(DataException.class, () -> IdxReader.read(headerOnly)).getMessage().contains("header ends"));
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[]{0, 0});
        assertTrue(assertThrows(DataException.class, () -> IdxReader.read(tiny)).getMessage().contains("too short"));
    }

    @Test
    void truncatedGzipIsReported() throws IOException {
        Path full = dir.resolve("full.gz");
        IdxWriter.write(full, images(), true);
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.gz");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": truncated"), e.getMessage());
    }

    @Test
    void corruptGzipIsReported() throws IOException {
        Path full = dir.resolve("full.gz");
        IdxWriter.write(full, images(), true);
        byte[] bytes = Files.readAllBytes(full);
        for (int i = 10; i < bytes.length - 8; i++) bytes[i] ^= (byte) 0x5A;
        Path bad = dir.resolve("bad.gz");
        Files.write(bad, bytes);
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("gzip"), e.getMessage());
    }

    @Test
    void wrongMagicAndTypeAreReported() throws IOException {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, world");
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(text));
        assertTrue(e.getMessage().contains(text + ": not an IDX file: magic number 0x68656C6C"), e.getMessage());

        Path badType = dir.resolve("bad-type");
        Files.write(badType, new byte[]{0, 0, 0x0A, 1, 0, 0, 0, 0});
        assertTrue(assertThrows(DataException.class, () -> IdxReader.read(badType)).getMessage().contains("unknown IDX element type 0x0A"));

        Path noDims = dir.resolve("no-dims");
        Files.write(noDims, new byte[]{0, 0, 8, 0});
        assertTrue(assertThrows(DataException.class, () -> IdxReader.read(noDims)).getMessage().contains("number of dimensions 0"));
    }

    @Test
    void trailingBytesAndMissingFilesAreReported() throws IOException {
        Path f = dir.resolve("labels");
        Files.write(f, new byte[]{0, 0, 8, 1, 0, 0, 0, 2, 4, 5, 6});
        assertTrue(assertThrows(DataException.class, () -> IdxReader.read(f)).getMessage().contains("unexpected bytes after"));
        Path missing = dir.resolve("missing");
        assertEquals(missing + ": no such file", assertThrows(DataException.class, () -> IdxReader.read(missing)).getMessage());
    }

    @Test
    void dataMustMatchShape() {
        assertThrows(IllegalArgumentException.class, () -> IdxData.unsignedBytes(new byte[5], 2, 3));
    }
}
