package gradus.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Decompression bombs: the declared size is checked before any raster is allocated. */
class ImagesTest {
    /** A 12 × 9 grayscale PNG whose IHDR now claims 4000 × 4000 (CRC left wrong: the check runs before it matters). */
    static byte[] claimingHuge() throws IOException {
        byte[] png = ImagesFuzzTest.encode("png", BufferedImage.TYPE_BYTE_GRAY);
        png[16] = 0; png[17] = 0; png[18] = 0x0f; png[19] = (byte) 0xa0; // width 4000
        png[20] = 0; png[21] = 0; png[22] = 0x0f; png[23] = (byte) 0xa0; // height 4000
        return png;
    }

    @Test
    void tinyFileDeclaringAHugeImageIsRefused() throws IOException {
        byte[] png = claimingHuge();
        IOException e = assertThrows(IOException.class, () -> Images.read(png, Images.MAX_PIXELS));
        assertTrue(e.getMessage().contains("4000 × 4000") && e.getMessage().contains(png.length + " bytes"), e.getMessage());
    }

    @Test
    void loadNamesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bomb.png");
        Files.write(file, claimingHuge());
        IOException e = assertThrows(IOException.class, () -> Images.load(file, 1, 28, 28, false));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("pixels"), e.getMessage());
        Files.write(file, ImagesFuzzTest.encode("png", BufferedImage.TYPE_INT_RGB));
        assertArrayEquals(new int[] {1, 28, 28}, Images.load(file, 1, 28, 28, false).shape());
    }
}
