package gradus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code gradus} command. Every subcommand is a thin shell over the Java API. */
@Command(name = "gradus", mixinStandardHelpOptions = true, version = "gradus 0.1.0", scope = CommandLine.ScopeType.INHERIT,
        description = "Deep learning on the JVM: train, evaluate and use neural networks.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class,
                GenerateCommand.class, ChatCommand.class, TokenizeCommand.class, ExportCommand.class, InfoCommand.class, QuantizeCommand.class, BenchCommand.class, Serve.class, ImportCommand.class, EmbedCommand.class,
                PrivacyAccountantCommand.class, KeygenCommand.class, SignCommand.class, VerifyCommand.class,
                EncryptCommand.class, DecryptCommand.class, FederatedCommand.class, ApiKeysCommand.class, PrivacyAuditCommand.class,
                ExplainCommand.class, AttackCommand.class, ReviewCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int run(String... args) {
        // Quiet by default: notices such as the GEMM provider line are for --verbose (or -Dgradus.log=info).
        if (System.getProperty("gradus.log") == null) {
            System.setProperty("gradus.log", java.util.Arrays.asList(args).contains("--verbose") ? "info" : "warn");
        }
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean verbose = parsed.matchedOption("--verbose") != null
                    || parsed.subcommands().stream().anyMatch(p -> p.matchedOption("--verbose") != null);
            if (verbose) e.printStackTrace(cmd.getErr());
            else cmd.getErr().println("error: " + message(e) + " (run with --verbose for details)");
            return 1;
        });
        return cli.execute(args);
    }

    /** One line: the root cause's message, with its type when it has none. */
    static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.io.UncheckedIOException
                || t instanceof java.util.concurrent.CompletionException)) t = t.getCause();
        String m = t.getMessage();
        if (t instanceof java.nio.file.NoSuchFileException) return "no such file: " + m;
        return m == null ? t.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
