package gradus.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The {@code --data-dir} option of every command that opens a data set by name. */
final class DataDirOption {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where datasets are looked up first (default: the installed locations).")
    Path dir;
}
