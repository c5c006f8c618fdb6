package gradus.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<Path> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void replacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("config.json");
        AtomicFiles.writeString(target, "old");
        AtomicFiles.write(target, out -> {
            out.write("new".getBytes());
            out.close(); // closing early must not break the fsync
        });
        assertEquals("new", Files.readString(target));
        assertEquals(List.of(target), listing());
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndRemovesItsTemporaryFile() throws IOException {
        Path target = dir.resolve("model.safetensors");
        AtomicFiles.writeString(target, "precious");
        var io = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[200_000]); // more than the buffer, so part of it reached the temporary file
            throw new IOException("disk full");
        }));
        assertEquals("disk full", io.getMessage());
        var rt = assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw new UncheckedIOException(new IOException("boom"));
        }));
        assertEquals("boom", rt.getCause().getMessage());
        assertEquals("precious", Files.readString(target));
        assertEquals(List.of(target), listing());
    }

    @Test
    void createsMissingDirectoriesAndUsesOrdinaryPermissions() throws IOException {
        Path target = dir.resolve("a/b/state.json");
        AtomicFiles.writeString(target, "{}");
        assertEquals("{}", Files.readString(target));
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            // Same permissions as a plainly created file (not the owner-only ones of createTempFile).
            Path plain = Files.writeString(dir.resolve("a/b/plain"), "x");
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(target));
        }
    }
}
