package gradus.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * API keys, their roles and the models they may use. A keys file holds one key per line, stored hashed:
 * <pre>
 * NAME  sha256:SALT:HASH  ROLE[+ROLE]  [models=MODEL[,MODEL]]
 * </pre>
 * where HASH is SHA-256(SALT ‖ key) in hex; {@code gradus apikeys add} writes such lines. Roles are {@code infer}
 * and {@code admin} (which implies infer); without {@code models=} a key may use every model. The old format,
 * plaintext entries {@code KEY:ROLE[+ROLE]} separated by commas, whitespace or new lines, is still read (with a
 * warning; {@code gradus apikeys hash FILE} rewrites it hashed). {@code #} starts a comment. No keys means no
 * authentication. {@link #watch} reloads the file when it changes, without a restart.
 */
public class ApiKeys {
    private static final Logger LOG = Logger.getLogger(ApiKeys.class.getName());
    private static final String SCHEME = "sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a key may do. */
    public enum Role { INFER, ADMIN }

    /** A key's name (for logs; never the key), roles and models (empty: all). */
    public record Entry(String name, Set<Role> roles, Set<String> models) {
        public Entry {
            roles = Set.copyOf(roles);
            models = Set.copyOf(models);
        }

        public boolean mayUse(String model) {
            return models.isEmpty() || models.contains(model);
        }
    }

    private record Hashed(Entry entry, byte[] salt, byte[] hash) {}

    private final List<Hashed> hashed;
    private final Map<String, Entry> plain;
    private final AuditLog audit;

    private ApiKeys(List<Hashed> hashed, Map<String, Entry> plain, AuditLog audit) {
        this.hashed = List.copyOf(hashed);
        this.plain = Map.copyOf(plain);
        this.audit = audit;
    }

    public static ApiKeys none() {
        return new ApiKeys(List.of(), Map.of(), AuditLog.none());
    }

    public static ApiKeys parse(String text) {
        List<Hashed> hashed = new ArrayList<>();
        Map<String, Entry> plain = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            String[] tokens = line.trim().split("[,\\s]+");
            if (tokens.length >= 2 && tokens[1].startsWith(SCHEME + ":")) {
                hashed.add(hashedLine(line.trim().split("\\s+"), n + 1));
                continue;
            }
            for (String entry : tokens) {
                if (entry.isEmpty()) continue;
                int colon = entry.lastIndexOf(':');
                if (colon <= 0 || colon == entry.length() - 1) {
                    throw new IllegalArgumentException("line " + (n + 1) + ": API key entry '" + mask(entry)
                            + "' must be NAME sha256:SALT:HASH ROLES [models=…] (or the old KEY:ROLE[+ROLE]) with roles infer, admin");
                }
                String key = entry.substring(0, colon);
                plain.put(key, new Entry("key-" + mask(key), roles(entry.substring(colon + 1), "API key " + mask(entry), n + 1), Set.of()));
            }
        }
        return new ApiKeys(hashed, plain, AuditLog.none());
    }

    private static Hashed hashedLine(String[] t, int line) {
        if (t.length < 3 || t.length > 4) {
            throw new IllegalArgumentException("line " + line + ": expected NAME sha256:SALT:HASH ROLES [models=…], got " + t.length + " fields");
        }
        String[] h = t[1].split(":");
        byte[] salt, digest;
        try {
            if (h.length != 3) throw new IllegalArgumentException("not three parts");
            salt = HexFormat.of().parseHex(h[1]);
            digest = HexFormat.of().parseHex(h[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("line " + line + ": key '" + t[0] + "' has a malformed hash; expected sha256:SALT_HEX:HASH_HEX");
        }
        if (digest.length != 32) throw new IllegalArgumentException("line " + line + ": key '" + t[0] + "' has a hash of " + digest.length + " bytes, SHA-256 has 32");
        Set<String> models = Set.of();
        if (t.length == 4) {
            if (!t[3].startsWith("models=") || t[3].length() == 7) {
                throw new IllegalArgumentException("line " + line + ": key '" + t[0] + "': fourth field must be models=NAME[,NAME], got '" + t[3] + "'");
            }
            models = Set.of(t[3].substring(7).split(","));
        }
        return new Hashed(new Entry(t[0], roles(t[2], "key '" + t[0] + "'", line), models), salt, digest);
    }

    private static Set<Role> roles(String spec, String what, int line) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String r : spec.split("\\+")) {
            switch (r.toLowerCase(Locale.ROOT)) {
                case "infer" -> roles.add(Role.INFER);
                case "admin" -> roles.addAll(EnumSet.allOf(Role.class));
                default -> throw new IllegalArgumentException("line " + line + ": unknown role '" + r + "' for " + what + "; roles are infer, admin");
            }
        }
        return roles;
    }

    public static ApiKeys read(Path file) throws IOException {
        try {
            ApiKeys keys = parse(Files.readString(file));
            if (!keys.plain.isEmpty()) {
                LOG.warning(() -> file + " holds " + keys.plain.size() + " API keys in plaintext; run 'gradus apikeys hash " + file + "' to store them hashed");
            }
            return keys;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Keys read from {@code file} and read again when it changes (checked at most once a second); a bad new file keeps the old keys. */
    public static ApiKeys watch(Path file, AuditLog audit) throws IOException {
        return new Watched(file, audit);
    }

    /** The same keys, writing refused requests and admin actions to {@code audit}. */
    public ApiKeys withAudit(AuditLog audit) {
        return new ApiKeys(hashed, plain, audit);
    }

    public AuditLog audit() {
        return current().audit;
    }

    public boolean enabled() {
        ApiKeys k = current();
        return !k.hashed.isEmpty() || !k.plain.isEmpty();
    }

    /** The key's entry, or null for an unknown key. Every hashed entry is compared, in constant time. */
    public Entry find(String key) {
        ApiKeys k = current();
        Entry found = k.plain.get(key);
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        for (Hashed h : k.hashed) {
            if (MessageDigest.isEqual(digest(h.salt, bytes), h.hash) && found == null) found = h.entry;
        }
        return found;
    }

    /** The roles of a key, or null for an unknown key. */
    public Set<Role> roles(String key) {
        Entry e = find(key);
        return e == null ? null : e.roles();
    }

    ApiKeys current() {
        return this;
    }

    /** A new random key (256 bits, base64url). */
    public static String generateKey() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "gk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The keys-file line for {@code key}; the key itself is not in it. */
    public static String line(String name, String key, Set<Role> roles, Set<String> models) {
        if (!name.matches("[A-Za-z0-9._@-]{1,64}")) throw new IllegalArgumentException("key name '" + name + "' must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        String hex = HexFormat.of().formatHex(digest(salt, key.getBytes(StandardCharsets.UTF_8)));
        String r = roles.contains(Role.ADMIN) ? "admin" : "infer";
        return name + " " + SCHEME + ":" + HexFormat.of().formatHex(salt) + ":" + hex + " " + r
                + (models.isEmpty() ? "" : " models=" + String.join(",", new TreeSet<>(models)));
    }

    /** {@code text} with every plaintext entry replaced by a hashed line (named key-1, key-2, …); hashed lines and comments kept. */
    public static String migrate(String text) {
        parse(text); // refuse a malformed file before rewriting anything
        StringBuilder out = new StringBuilder();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            int hash = line.indexOf('#');
            String body = hash >= 0 ? line.substring(0, hash) : line;
            String[] tokens = body.trim().split("[,\\s]+");
            if (body.isBlank() || tokens.length >= 2 && tokens[1].startsWith(SCHEME + ":")) {
                out.append(line).append('\n');
                continue;
            }
            for (String entry : tokens) {
                int colon = entry.lastIndexOf(':');
                Set<Role> roles = roles(entry.substring(colon + 1), "API key", 0);
                out.append(line("key-" + ++n, entry.substring(0, colon), roles, Set.of())).append('\n');
            }
            if (hash >= 0) out.append(line.substring(hash)).append('\n');
        }
        return out.toString().replaceAll("\n+$", "\n");
    }

    private static byte[] digest(byte[] salt, byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(key);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }

    private static String mask(String entry) {
        return entry.length() <= 4 ? "****" : entry.substring(0, 4) + "…";
    }

    /** Keys that follow their file. */
    private static final class Watched extends ApiKeys {
        private final Path file;
        private final AuditLog auditLog;
        private volatile ApiKeys keys;
        private volatile String stamp;
        private volatile long checkedAt;

        Watched(Path file, AuditLog audit) throws IOException {
            super(List.of(), Map.of(), audit);
            this.file = file;
            this.auditLog = audit;
            this.stamp = stamp(file);
            this.keys = read(file).withAudit(audit);
            this.checkedAt = System.nanoTime();
        }

        @Override
        ApiKeys current() {
            long now = System.nanoTime();
            if (now - checkedAt < 1_000_000_000L) return keys;
            synchronized (this) {
                if (now - checkedAt < 1_000_000_000L) return keys;
                checkedAt = now;
                try {
                    String s = stamp(file);
                    if (!s.equals(stamp)) {
                        keys = read(file).withAudit(auditLog);
                        stamp = s;
                        auditLog.record("keys_reloaded", Map.of("file", file.toString(), "keys", keys.hashed.size() + keys.plain.size()));
                    }
                } catch (IOException | IllegalArgumentException e) {
                    auditLog.record("keys_reload_failed", Map.of("file", file.toString(), "reason", String.valueOf(e.getMessage())));
                    LOG.warning(() -> "keeping the previous API keys: " + e.getMessage());
                }
            }
            return keys;
        }

        private static String stamp(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.size() + "/" + a.lastModifiedTime().toInstant() + "/" + a.fileKey();
        }

        @Override
        public ApiKeys withAudit(AuditLog audit) {
            throw new UnsupportedOperationException("give the audit log to ApiKeys.watch");
        }
    }
}
