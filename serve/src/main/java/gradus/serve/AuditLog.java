package gradus.serve;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * An append-only JSON-lines record of admin actions, refused requests and key reloads: one object per line with
 * {@code time} (ISO-8601 UTC) and {@code event}. Keys appear by name only, never the key itself. Each line is
 * written and flushed whole, so a crash loses at most the line being written.
 */
public class AuditLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AuditLog.class.getName());
    private static final AuditLog NONE = new AuditLog(null);

    private final OutputStream out;

    private AuditLog(OutputStream out) {
        this.out = out;
    }

    public static AuditLog none() {
        return NONE;
    }

    /** Appends to {@code file}, creating it readable by its owner only when it is new. */
    public static AuditLog open(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file);
            try {
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: its default permissions apply
            }
        }
        return new AuditLog(Files.newOutputStream(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    }

    public boolean enabled() {
        return out != null;
    }

    public void record(String event, Map<String, ?> fields) {
        if (out == null) return;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("event", event);
        line.putAll(fields);
        try {
            byte[] bytes = (Http.JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (this) {
                out.write(bytes);
                out.flush();
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            LOG.severe("could not write the audit log: " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
