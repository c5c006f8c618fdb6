package gradus.data;

import gradus.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

/** PNG and JPEG decoding: a bad file is an IOException, and no file allocates past its pixel budget. */
class ImagesFuzzTest {
    static byte[] encode(String format, int type) throws IOException {
        BufferedImage img = new BufferedImage(12, 9, type);
        for (int y = 0; y < 9; y++) for (int x = 0; x < 12; x++) img.setRGB(x, y, (x * 20) << 16 | (y * 25) << 8 | (x * y));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), format);
        return out.toByteArray();
    }

    @Test
    void fuzzPngAndJpeg() throws IOException {
        // A decoded pixel takes at most 4 bytes (ARGB), and Images.read allows MAX_PIXELS_PER_BYTE pixels per byte of file
        Fuzzer.of("images", bytes -> Images.read(bytes, Images.MAX_PIXELS))
                .seed(encode("png", BufferedImage.TYPE_INT_RGB)).seed(encode("png", BufferedImage.TYPE_BYTE_GRAY))
                .seed(encode("png", BufferedImage.TYPE_INT_ARGB)).seed(encode("jpg", BufferedImage.TYPE_INT_RGB))
                .seed(encode("jpg", BufferedImage.TYPE_BYTE_GRAY))
                .dictionary("IHDR", "IDAT", "IEND", "PLTE", "tRNS", "iCCP", "zTXt", "\u00ff\u00d8", "\u00ff\u00c0", "\u00ff\u00c4", "\u00ff\u00da")
                .expect(IOException.class)
                .allocationLimit(8 * Images.MAX_PIXELS_PER_BYTE, 8L << 20)
                .iterations(20000)
                .run();
    }
}
