package gradus.data.datasets;

import gradus.data.DataException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the data that ships with Gradus (the repository's {@code data/} folder) from wherever the
 * program runs. Roots, in order: the {@code gradus.home} system property (a packaged CLI's launcher
 * sets it to the install directory), the working directory, then each parent of the working directory
 * (so tests running inside a module still find the repository's files).
 */
public final class DataHome {
    /** The system property naming the Gradus installation or repository root. */
    public static final String PROPERTY = "gradus.home";

    private DataHome() {}

    /** The directories searched, in order. */
    public static List<Path> roots() {
        List<Path> roots = new ArrayList<>();
        String home = System.getProperty(PROPERTY);
        if (home != null && !home.isBlank()) roots.add(Path.of(home).toAbsolutePath().normalize());
        for (Path p = Path.of("").toAbsolutePath().normalize(); p != null; p = p.getParent()) roots.add(p);
        return roots;
    }

    /** The first existing {@code root/relative}, or null. */
    public static Path find(String relative) {
        for (Path root : roots()) {
            Path p = root.resolve(relative);
            if (Files.exists(p)) return p;
        }
        return null;
    }

    /**
     * A data directory the user named ({@code --data-dir}; null when none) must exist: a wrong path is an
     * error naming it, never a reason to quietly use other data.
     */
    public static void requireGiven(Path dataDir) {
        if (dataDir != null && !Files.isDirectory(dataDir)) {
            throw new DataException("the data directory " + dataDir.toAbsolutePath().normalize()
                    + (Files.exists(dataDir) ? " is not a directory" : " does not exist") + " (given with --data-dir)");
        }
    }

    /** Where {@link #find} looked, for error messages. */
    public static String describe(String relative) {
        StringBuilder s = new StringBuilder("looked for " + relative + " under ");
        List<Path> roots = roots();
        for (int i = 0; i < roots.size(); i++) s.append(i == 0 ? "" : ", ").append(roots.get(i));
        String home = System.getProperty(PROPERTY);
        if (home == null || home.isBlank()) s.append(" (set -D").append(PROPERTY).append("=DIR to the Gradus directory)");
        return s.toString();
    }
}
