package gradus.cli;

import gradus.files.AtomicFiles;
import gradus.serve.ApiKeys;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "apikeys", description = "Manage the server's API keys file (keys stored as salted SHA-256 hashes).",
        subcommands = {ApiKeysCommand.Add.class, ApiKeysCommand.Hash.class})
final class ApiKeysCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    @Command(name = "add", description = {"Adds a new random key to FILE (created if missing) and prints it once:",
            "only its hash is stored. A running server picks it up within a second."})
    static final class Add implements Callable<Integer> {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Option(names = "--name", required = true, description = "A name for the key, shown in the audit log.")
        String name;

        @Option(names = "--role", defaultValue = "infer", description = "infer or admin (default ${DEFAULT-VALUE}).")
        String role;

        @Option(names = "--models", split = ",", paramLabel = "NAME", description = "Models the key may use (default: all).")
        List<String> models = List.of();

        @Override
        public Integer call() throws Exception {
            Set<ApiKeys.Role> roles = switch (role) {
                case "infer" -> EnumSet.of(ApiKeys.Role.INFER);
                case "admin" -> EnumSet.allOf(ApiKeys.Role.class);
                default -> throw new IllegalArgumentException("--role must be infer or admin, got '" + role + "'");
            };
            String old = Files.exists(file) ? Files.readString(file) : "";
            ApiKeys.parse(old); // refuse to append to a malformed file
            String key = ApiKeys.generateKey();
            String text = (old.isEmpty() || old.endsWith("\n") ? old : old + "\n") + ApiKeys.line(name, key, roles, Set.copyOf(models)) + "\n";
            if (old.contains("\n" + name + " ") || old.startsWith(name + " ")) throw new IllegalArgumentException(file + " already has a key named '" + name + "'");
            AtomicFiles.writeString(file, text);
            System.out.println(key);
            return 0;
        }
    }

    @Command(name = "hash", description = {"Rewrites FILE's plaintext KEY:ROLE entries as hashed lines named key-1, key-2, …",
            "The keys themselves keep working; only their hashes stay in the file."})
    static final class Hash implements Callable<Integer> {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            String migrated = ApiKeys.migrate(Files.readString(file));
            AtomicFiles.writeString(file, migrated);
            System.out.println("hashed the plaintext keys of " + file);
            return 0;
        }
    }
}
