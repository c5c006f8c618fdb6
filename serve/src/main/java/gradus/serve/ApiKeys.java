package gradus.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * API keys and their roles. Written as entries {@code KEY:ROLE[+ROLE]} separated by commas,
 * whitespace or new lines ({@code #} starts a comment), in a file or the {@code GRADUS_API_KEYS}
 * environment variable. {@code admin} implies {@code infer}. No keys means no authentication.
 */
public final class ApiKeys {
    /** What a key may do. */
    public enum Role { INFER, ADMIN }

    private final Map<String, Set<Role>> keys;

    private ApiKeys(Map<String, Set<Role>> keys) {
        this.keys = Map.copyOf(keys);
    }

    public static ApiKeys none() {
        return new ApiKeys(Map.of());
    }

    public static ApiKeys parse(String text) {
        Map<String, Set<Role>> keys = new HashMap<>();
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            for (String entry : line.trim().split("[,\\s]+")) {
                if (entry.isEmpty()) continue;
                int colon = entry.lastIndexOf(':');
                if (colon <= 0 || colon == entry.length() - 1) {
                    throw new IllegalArgumentException("API key entry '" + mask(entry) + "' must be KEY:ROLE[+ROLE] with roles infer, admin");
                }
                Set<Role> roles = EnumSet.noneOf(Role.class);
                for (String r : entry.substring(colon + 1).split("\\+")) {
                    switch (r.toLowerCase()) {
                        case "infer" -> roles.add(Role.INFER);
                        case "admin" -> roles.addAll(EnumSet.allOf(Role.class));
                        default -> throw new IllegalArgumentException("unknown role '" + r + "' for API key " + mask(entry) + "; roles are infer, admin");
                    }
                }
                keys.put(entry.substring(0, colon), roles);
            }
        }
        return new ApiKeys(keys);
    }

    public static ApiKeys read(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public boolean enabled() {
        return !keys.isEmpty();
    }

    /** The roles of a key, or null for an unknown key. */
    public Set<Role> roles(String key) {
        return keys.get(key);
    }

    private static String mask(String entry) {
        return entry.length() <= 4 ? "****" : entry.substring(0, 4) + "…";
    }
}
