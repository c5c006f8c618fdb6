package gradus.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the files directly inside a model directory look like: name → size, last-modified time and
 * file key (inode). Two equal snapshots taken before and after a load mean no file was written,
 * replaced, added or removed meanwhile (as far as the file system's timestamps tell), so the load
 * read one set of files, not config A with weights B.
 */
record FileSnapshot(Map<String, String> files) {
    static FileSnapshot of(Path dir) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class); // follows links: a swapped link changes the key
                    if (a.isRegularFile()) files.put(p.getFileName().toString(), a.size() + "/" + a.lastModifiedTime().toInstant() + "/" + a.fileKey());
                } catch (IOException e) {
                    files.put(p.getFileName().toString(), "unreadable"); // vanished while listing: the next snapshot differs
                }
            }
        } catch (IOException e) {
            return new FileSnapshot(Map.of("", "unreadable directory"));
        }
        return new FileSnapshot(Map.copyOf(files));
    }
}
