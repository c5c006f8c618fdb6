package gradus.files;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Writes files so that readers see either the old content or the complete new content, never a
 * torn file: the data goes to a temporary file in the same directory, is fsynced, then renamed
 * over the target. If the writer fails, the target is untouched and the temporary file removed.
 * Temporary files are named {@code .NAME.<writer's pid>p<random>.tmp}; those a killed process left behind
 * are removed by {@link #deleteStaleTemporaries}.
 */
public final class AtomicFiles {
    private static final int BUFFER = 1 << 16;
    /** {@code .NAME.[PIDp]RANDOM.tmp} (names without the writer's pid come from older versions). */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.(?:([0-9a-f]{1,16})p)?[0-9a-f]{1,16}\\.tmp");
    private static final long PID = ProcessHandle.current().pid();
    private static final Instant PROCESS_START = ProcessHandle.current().info().startInstant().orElse(null);
    /** Start times are known to about a second (Linux: boot time in whole seconds). */
    private static final java.time.Duration START_TIME_SLACK = java.time.Duration.ofSeconds(2);
    /** This process's temporary files not yet renamed or removed: in use, never stale. */
    private static final java.util.Set<Path> IN_FLIGHT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Test seam: wraps the stream each target is written through (tests use it to simulate a full disk). */
    public static volatile BiFunction<Path, OutputStream, OutputStream> streamFilter = (target, out) -> out;

    private AtomicFiles() {}

    /** Replaces {@code target} with what {@code writer} writes, creating parent directories as needed. */
    public static void write(Path target, IOConsumer<OutputStream> writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path temp = writeTemporary(absolute, randomId(), writer);
        try {
            move(temp, absolute);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(temp, e);
            throw e;
        }
        syncDirectory(absolute.getParent());
    }

    public static void writeString(Path target, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    /**
     * Writes and fsyncs {@code .NAME.ID.tmp} beside {@code target} (an absolute path) and returns it; on
     * failure the temporary file is removed. The caller renames it with {@link #move}.
     */
    public static Path writeTemporary(Path target, String id, IOConsumer<OutputStream> writer) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // Same directory as the target: a rename within one file system is atomic. Not createTempFile,
        // whose owner-only permissions would carry over to the target.
        Path temp = temporary(target, id);
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        IN_FLIGHT.add(temp);
        try (channel) {
            OutputStream out = new BufferedOutputStream(streamFilter.apply(target, Channels.newOutputStream(channel)), BUFFER) {
                @Override
                public void close() throws IOException {
                    flush(); // a writer that closes its stream must not close the channel before the fsync
                }
            };
            writer.accept(out);
            out.flush();
            channel.force(true);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(temp, e);
            throw e;
        }
        return temp;
    }

    /** The temporary file {@link #writeTemporary} uses for {@code target} and {@code id}. */
    public static Path temporary(Path target, String id) {
        return target.resolveSibling("." + target.getFileName() + "." + id + ".tmp");
    }

    /** An id for temporary names: this process's pid (so a later process can tell the writer is gone) and a random part. */
    public static String randomId() {
        return Long.toHexString(PID) + "p" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Some file systems (certain network mounts) cannot rename atomically; a plain replace is the best left.
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        IN_FLIGHT.remove(from);
    }

    /** Removes a temporary file this process gave up on. */
    public static void discard(Path temp) throws IOException {
        Files.deleteIfExists(temp);
        IN_FLIGHT.remove(temp);
    }

    /**
     * Removes the temporary files of our naming pattern in {@code dir} whose writer is gone: a process that is
     * no longer running (or whose pid now belongs to a process started after the file was written), or this
     * process when it no longer writes the file. Returns how many. Not for a model directory on its own: a
     * committed save's files may still wait there (see {@code gradus.io.FileSet}'s recover).
     */
    public static int deleteStaleTemporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> TEMPORARY.matcher(p.getFileName().toString()).matches())) {
            for (Path p : files) {
                if (Files.isRegularFile(p) && stale(p) && Files.deleteIfExists(p)) deleted++;
            }
        }
        return deleted;
    }

    private static boolean stale(Path temp) throws IOException {
        var m = TEMPORARY.matcher(temp.getFileName().toString());
        if (!m.matches()) return false;
        Instant written = Files.getLastModifiedTime(temp).toInstant();
        if (m.group(1) == null) return PROCESS_START != null && written.isBefore(PROCESS_START); // older naming: by age only
        long pid = Long.parseUnsignedLong(m.group(1), 16);
        if (pid == PID) return !IN_FLIGHT.contains(temp.toAbsolutePath()); // ours, or a killed process's with our pid (containers)
        var writer = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (writer.isEmpty()) return true;
        var started = writer.get().info().startInstant();
        return started.isPresent() && started.get().isAfter(written.plus(START_TIME_SLACK)); // the pid was reused
    }

    /** Makes renames durable. Not every platform can open a directory; there it is skipped. */
    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Windows cannot open directories; the rename is still atomic there, only its durability is weaker.
        }
    }

    private static void deleteQuietly(Path temp, Throwable failure) {
        try {
            discard(temp);
        } catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }
}
