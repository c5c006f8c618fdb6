package gradus.data.datasets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DownloadTest {
    @TempDir
    Path dir;

    /** A well-formed hash that matches none of the served files. */
    private static final String OTHER_SHA = "6b0a2d2b4bfba1e5d1b9d2f3e5d8f0c1b6c1e4f6a6b1e5f0d2c9a8b7e6f5d4c3";

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void verifiedDownloadLandsAtomically() throws IOException {
        byte[] body = "hello gradus\n".getBytes(StandardCharsets.UTF_8);
        try (LocalServer server = new LocalServer(Map.of("f.bin", body))) {
            Path target = dir.resolve("cache/f.bin");
            Download.verified(server.base().resolve("f.bin"), target, sha256(body));
            assertArrayEquals(body, Files.readAllBytes(target));
            try (var files = Files.list(target.getParent())) {
                assertEquals(1, files.count(), "no temporary file left behind");
            }
        }
    }

    @Test
    void checksumMismatchLeavesNothing() throws IOException {
        try (LocalServer server = new LocalServer(Map.of("f.bin", new byte[]{1, 2, 3}))) {
            Path target = dir.resolve("f.bin");
            IOException e = assertThrows(IOException.class, () -> Download.verified(server.base().resolve("f.bin"), target, OTHER_SHA));
            assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains(OTHER_SHA), e.getMessage());
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count());
            }
        }
    }

    @Test
    void httpErrorsAreReported() throws IOException {
        try (LocalServer server = new LocalServer(Map.of())) {
            IOException e = assertThrows(IOException.class, () -> Download.verified(server.base().resolve("missing.gz"), dir.resolve("x"), OTHER_SHA));
            assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("x")));
        }
    }
}
