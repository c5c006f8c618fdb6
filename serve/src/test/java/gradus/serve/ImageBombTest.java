package gradus.serve;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** A small PNG that declares a huge raster is refused before it is decoded. */
class ImageBombTest {
    @TempDir
    static Path models;
    static GradusServer server;

    @BeforeAll
    static void start() throws Exception {
        server = Fixtures.serveTiny(models);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A valid grayscale PNG of {@code size × size} black pixels: about size²/1000 bytes. */
    static byte[] blackPng(int size) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9))) {
            byte[] row = new byte[size + 1]; // filter byte 0, then black
            for (int y = 0; y < size; y++) z.write(row);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(size);
        h.writeInt(size);
        h.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit grayscale, deflate, no filter method, no interlace
        chunk(png, "IHDR", ihdr.toByteArray());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    @Test
    void bombIsRefusedWithAClearError() throws Exception {
        byte[] bomb = blackPng(10_000); // 100 megapixels in about 100 KB
        assertTrue(bomb.length < 1 << 20, bomb.length + " bytes");
        String url = "http://127.0.0.1:" + server.port() + "/predict/tiny";
        var r = postBytes(url, bomb, "Content-Type", "image/png");
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(400, r.statusCode(), body);
        assertTrue(body.contains("10000 × 10000") && body.contains("pixels"), body);

        var ok = postBytes(url, blackPng(28), "Content-Type", "image/png");
        assertEquals(200, ok.statusCode(), "a normal image is still classified: " + new String(ok.body(), StandardCharsets.UTF_8));
    }
}
