package gradus.io;

import gradus.files.AtomicFiles;
import gradus.files.FileFormatException;
import gradus.files.IOConsumer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Files of one directory that are saved together and must be read together (a model's config, weights
 * and training state), under the names readers expect. A save writes every file to a temporary name,
 * then commits by writing {@code manifest.json} atomically (the save's id, each file's size and SHA-256),
 * then renames the temporary files into place. A crash before the commit leaves the previous set; after
 * it, the new one: a file not yet renamed is still found under its temporary name (and the next save
 * finishes the renames). A reader checks the files it used against the manifest, so a set mixed by hand
 * (or by an older Gradus) is refused, naming the files. A directory without a manifest (older saves,
 * hand-made) is read as it is, unchecked.
 */
final class FileSet {
    static final String MANIFEST = "manifest.json";
    /** Test hook: {@code -Dgradus.test.crashAt=POINT[@N]} halts the JVM at the N-th (default first) time a save reaches POINT. */
    static final String CRASH_PROPERTY = "gradus.test.crashAt";
    private static final Map<String, AtomicInteger> CRASH_COUNTS = new ConcurrentHashMap<>();
    /** Test seam: called at each point a save can be interrupted ("NAME.tmp" written, "manifest.json" committed, "NAME" renamed). */
    static volatile java.util.function.Consumer<String> crashPoint = FileSet::haltIfAsked;

    /** A listed file; {@code sealed}: written beside the save and listed by {@link #seal}, so the next save keeps it. */
    record Entry(long size, String sha256, boolean sealed) {}

    private final Path dir;
    private final String id; // null without a manifest
    private final Map<String, Entry> entries;

    private FileSet(Path dir, String id, Map<String, Entry> entries) {
        this.dir = dir;
        this.id = id;
        this.entries = entries;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Saves {@code files} (name → writer) into {@code dir} as one set. Files of the previous set that the new
     * one lacks, and the names in {@code obsolete}, are removed after the commit. On failure before the
     * commit (a full disk, a writer's error) the previous set is untouched and the exception names the file.
     */
    static void save(Path dir, Map<String, IOConsumer<OutputStream>> files, Collection<String> obsolete) throws IOException {
        Path abs = dir.toAbsolutePath();
        Files.createDirectories(abs);
        FileSet previous = recover(abs);

        String id = AtomicFiles.randomId();
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<Path> temporaries = new ArrayList<>();
        try {
            for (var f : files.entrySet()) {
                MessageDigest sha = sha256();
                long[] size = {0};
                Path target = abs.resolve(f.getKey());
                try {
                    temporaries.add(AtomicFiles.writeTemporary(target, id, out -> {
                        CountingStream counted = new CountingStream(new DigestOutputStream(out, sha));
                        f.getValue().accept(counted);
                        counted.flush();
                        size[0] = counted.count;
                    }));
                } catch (IOException e) {
                    throw new IOException("could not write " + target + ": " + e.getMessage() + " (the previous files in " + abs + " are unchanged)", e);
                }
                entries.put(f.getKey(), new Entry(size[0], HexFormat.of().formatHex(sha.digest()), false));
                crashPoint.accept(f.getKey() + ".tmp");
            }
            AtomicFiles.syncDirectory(abs); // the temporary files' names are durable before the manifest that points at them
            AtomicFiles.writeString(abs.resolve(MANIFEST), Json.pretty(manifest(id, entries)));
        } catch (IOException | RuntimeException | Error e) {
            for (Path t : temporaries) {
                try {
                    AtomicFiles.discard(t);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        crashPoint.accept(MANIFEST);
        // Committed: from here on the directory holds the new set, whether or not the renames below finish.
        new FileSet(abs, id, entries).finishRenames();
        List<String> stale = new ArrayList<>(obsolete);
        previous.entries.forEach((name, e) -> {
            if (!e.sealed()) stale.add(name); // a file sealed in was written beside the save (a tokenizer) and stays
        });
        for (String name : stale) if (!entries.containsKey(name)) Files.deleteIfExists(abs.resolve(name));
        AtomicFiles.syncDirectory(abs);
    }

    private static Map<String, Object> manifest(String id, Map<String, Entry> entries) {
        Map<String, Object> files = new LinkedHashMap<>();
        entries.forEach((name, e) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("size", e.size());
            entry.put("sha256", e.sha256());
            if (e.sealed()) entry.put("sealed", true);
            files.put(name, entry);
        });
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", ModelDirectory.FORMAT);
        m.put("format_version", ModelDirectory.FORMAT_VERSION);
        m.put("save_id", id);
        m.put("files", files);
        return m;
    }

    /**
     * Finishes the renames of a save killed after its commit, then removes the temporary files that killed
     * saves left (only those older than this process: see {@link AtomicFiles#deleteStaleTemporaries}).
     * Returns the directory's set.
     */
    static FileSet recover(Path dir) throws IOException {
        FileSet committed = open(dir);
        committed.finishRenames();
        AtomicFiles.deleteStaleTemporaries(dir);
        return committed;
    }

    private void finishRenames() throws IOException {
        if (id == null) return;
        for (String name : entries.keySet()) {
            Path temp = AtomicFiles.temporary(dir.resolve(name), id);
            if (!Files.exists(temp)) continue;
            AtomicFiles.move(temp, dir.resolve(name));
            crashPoint.accept(name);
        }
    }

    // ---------------------------------------------------------------- reading

    /** The set saved in {@code dir}: its manifest's entries, or none when it has no manifest. */
    static FileSet open(Path dir) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) return new FileSet(dir, null, Map.of());
        return parse(dir, Files.readAllBytes(file));
    }

    /** The set that the manifest bytes {@code manifest} (read from {@code dir}) describe. */
    static FileSet parse(Path dir, byte[] manifest) throws IOException {
        Path file = dir.resolve(MANIFEST);
        Map<String, Object> json = Json.readObject(file, manifest);
        Object id = json.get("save_id"), files = json.get("files");
        if (!(id instanceof String s) || !s.matches("([0-9a-f]{1,16}p)?[0-9a-f]{1,16}") || !(files instanceof Map<?, ?> listed)) {
            throw new FileFormatException(file, "expected 'save_id' (hex) and 'files' (an object); delete " + MANIFEST + " to read the other files unchecked");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (var e : listed.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> f) || !(f.get("size") instanceof Number size) || !(f.get("sha256") instanceof String sha)
                    || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new FileFormatException(file, "files." + name + ": expected a plain file name with 'size' and 'sha256'");
            }
            entries.put(name, new Entry(size.longValue(), sha, Boolean.TRUE.equals(f.get("sealed"))));
        }
        return new FileSet(dir, s, entries);
    }

    boolean hasManifest() {
        return id != null;
    }

    boolean lists(String name) {
        return entries.containsKey(name);
    }

    /** Where to read {@code name}: its temporary file while a committed save has not renamed it yet, else its own path. */
    Path path(String name) {
        if (id != null && entries.containsKey(name)) {
            Path temp = AtomicFiles.temporary(dir.resolve(name), id);
            if (Files.exists(temp)) return temp;
        }
        return dir.resolve(name);
    }

    /** Whether the directory's manifest is no longer the one this set was opened from (a save committed since). */
    boolean replaced() {
        try {
            return !java.util.Objects.equals(open(dir).id, id);
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Checks that the listed ones among {@code names} are the files saved together (size and SHA-256);
     * a directory without a manifest passes. Fails naming every file that differs.
     */
    void verify(Collection<String> names) throws IOException {
        List<String> problems = mismatches(names);
        if (!problems.isEmpty()) {
            throw new FileFormatException(dir.resolve(MANIFEST), "the files are not the set saved together: " + String.join("; ", problems)
                    + ". They were replaced or edited after the save; delete " + MANIFEST + " to read them as they are");
        }
    }

    /** How the listed ones among {@code names} differ from the manifest, one line per file naming it; empty when none does. */
    List<String> mismatches(Collection<String> names) throws IOException {
        List<String> problems = new ArrayList<>();
        if (id == null) return problems;
        for (String name : names) {
            Entry expected = entries.get(name);
            if (expected == null) continue;
            Path p = path(name);
            if (!Files.isRegularFile(p)) {
                problems.add(name + " is missing");
                continue;
            }
            long size = Files.size(p);
            if (size != expected.size()) {
                problems.add(name + " is " + size + " bytes, the manifest says " + expected.size());
            } else if (!sha256(p).equals(expected.sha256())) {
                problems.add(name + " has other content (SHA-256 " + sha256(p).substring(0, 12) + "…, the manifest says " + expected.sha256().substring(0, 12) + "…)");
            }
        }
        return problems;
    }

    /** The names of every listed file. */
    Set<String> names() {
        return entries.keySet();
    }

    /**
     * The plain files in the directory that the manifest does not list, leaving out the manifest, the names in
     * {@code alsoExpected} and hidden files (temporaries, which {@link #path} already accounts for).
     */
    List<String> unlisted(Collection<String> alsoExpected) throws IOException {
        List<String> out = new ArrayList<>();
        try (var list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.equals(MANIFEST) || alsoExpected.contains(name) || entries.containsKey(name)) continue;
                out.add(name);
            }
        }
        return out;
    }

    /**
     * Rewrites the manifest of {@code dir} to list every plain file in it (not {@code leaveOut}), so it can be signed:
     * the files a save listed must still match it (a changed set is refused, naming the files); files added beside
     * them since (a tokenizer, say) join the set. Keeps the save's id; returns the new set.
     */
    static FileSet seal(Path dir, Collection<String> leaveOut) throws IOException {
        Path abs = dir.toAbsolutePath();
        FileSet current = recover(abs);
        current.verify(current.names());
        List<String> added = current.unlisted(leaveOut);
        if (current.id != null && added.isEmpty()) return current; // unchanged bytes: a signature over them still holds
        Map<String, Entry> entries = new LinkedHashMap<>(current.entries);
        for (String name : added) {
            Path p = abs.resolve(name);
            if (!Files.isRegularFile(p)) throw new FileFormatException(p, "is not a plain file: a model directory to sign holds plain files only");
            entries.put(name, new Entry(Files.size(p), sha256(p), true));
        }
        String id = current.id != null ? current.id : AtomicFiles.randomId();
        AtomicFiles.writeString(abs.resolve(MANIFEST), Json.pretty(manifest(id, entries)));
        return new FileSet(abs, id, entries);
    }

    // ---------------------------------------------------------------- helpers

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) sha.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void haltIfAsked(String point) {
        String spec = System.getProperty(CRASH_PROPERTY);
        if (spec == null) return;
        int at = spec.lastIndexOf('@');
        String name = at < 0 ? spec : spec.substring(0, at);
        int n = at < 0 ? 1 : Integer.parseInt(spec.substring(at + 1));
        if (name.equals(point) && CRASH_COUNTS.computeIfAbsent(point, k -> new AtomicInteger()).incrementAndGet() == n) {
            System.err.println(CRASH_PROPERTY + ": halting at " + point + " (time " + n + ")");
            System.err.flush();
            Runtime.getRuntime().halt(86);
        }
    }

    /** Counts bytes, so the manifest records the size without asking the file system. */
    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush(); // the stream beneath is closed by whoever opened it
        }
    }
}
