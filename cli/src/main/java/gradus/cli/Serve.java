package gradus.cli;

import gradus.io.ModelProtection;
import gradus.io.TrustedKeys;
import gradus.serve.ApiKeys;
import gradus.serve.AuditLog;
import gradus.serve.GradusServer;
import gradus.serve.text.SavedTextModels;
import gradus.serve.text.TextModels;
import gradus.serve.ServeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true, description = {"Serve saved models over HTTP: KServe v2 (/v2), OpenAI-compatible (/v1),",
        "/predict/{name}, Prometheus /metrics, and a web UI (/ui/) with training runs and a playground.",
        "Models are read from DIR/name/version/ (config.json + model.safetensors) and reloaded when they change.",
        "Language models (DIR/name.gguf files, Hugging Face folders DIR/name/, or --llm PATH) answer /v1/chat/completions,",
        "/v1/completions and /v1/responses with their own chat template and tokenizer.",
        "API keys: --api-keys FILE (hashed lines written by gradus apikeys add; reloaded when it changes) or the",
        "GRADUS_API_KEYS variable (entries KEY:ROLE[+ROLE]), with roles infer, admin."})
final class Serve implements Callable<Integer> {
    @Option(names = "--models", paramLabel = "DIR", description = "Model repository directory.")
    Path models;

    @Option(names = "--llm", paramLabel = "[NAME=]PATH", description = {"A GGUF file or Hugging Face folder to serve as the language model NAME",
            "(default: the file name without .gguf, or the folder's name); repeatable."})
    List<String> llms = new ArrayList<>();

    @Option(names = "--runs", paramLabel = "DIR", description = "Training runs (gradus train --out directories) for the dashboard.")
    Path runs;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--max-batch-size", defaultValue = "64", description = "Rows merged into one forward pass; 1 turns batching off (default ${DEFAULT-VALUE}).")
    int maxBatchSize;

    @Option(names = "--max-batch-delay-ms", defaultValue = "0", description = "How long a batch waits to fill; 0 takes the requests that queued during the last pass (default ${DEFAULT-VALUE}).")
    double maxBatchDelayMs;

    @Option(names = "--max-body-bytes", defaultValue = "16777216", description = "Larger request bodies get 413 (default ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "How long an inference may wait for its forward pass before it gets 503; a pass that has started runs to its end (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--rate-limit", defaultValue = "0", description = "Requests per second per API key or client; 0 = unlimited.")
    double rateLimit;

    @Option(names = "--max-tokens", defaultValue = "1024", description = "Upper bound for max_tokens in text generation (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--api-keys", paramLabel = "FILE", description = "API key file (see gradus apikeys); re-read when it changes, no restart needed.")
    Path apiKeys;

    @Option(names = "--audit-log", paramLabel = "FILE", description = "Append admin actions, refused requests and key reloads to FILE as JSON lines.")
    Path auditLog;

    @Option(names = "--keystore", paramLabel = "FILE", description = "PKCS12/JKS keystore: serve HTTPS.")
    Path keystore;

    @Option(names = "--keystore-password", description = "Keystore password (or GRADUS_KEYSTORE_PASSWORD).")
    String keystorePassword;

    @Option(names = "--reload-ms", defaultValue = "1000", description = "How often to look for changed models; 0 = never (default ${DEFAULT-VALUE}).")
    long reloadMs;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the dashboard looks for datasets (confusion matrices).")
    Path dataDir;

    @Option(names = "--no-access-log", description = "Do not log each request.")
    boolean noAccessLog;

    @Option(names = "--max-connections", defaultValue = "1000", description = "Open connections at most; more wait to be accepted. Lowered to what the open-files limit (ulimit -n) allows (default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--idle-timeout-ms", defaultValue = "30000", description = "Close a connection that sends no request for this long (default ${DEFAULT-VALUE}).")
    long idleTimeoutMs;

    @Option(names = "--header-timeout-ms", defaultValue = "10000", description = "Close a connection whose request headers take longer (default ${DEFAULT-VALUE}).")
    long headerTimeoutMs;

    @Option(names = "--body-timeout-ms", defaultValue = "60000", description = "Close a connection whose request body takes longer (default ${DEFAULT-VALUE}).")
    long bodyTimeoutMs;

    @Option(names = "--auth-failure-rate", defaultValue = "1", description = "Failed authentications per second per client address (bursts of 10) before 429 (default ${DEFAULT-VALUE}).")
    double authFailureRate;

    @Option(names = "--public-metrics", description = "Serve /metrics without a key when API keys are on.")
    boolean publicMetrics;

    @Option(names = "--require-signed", description = "Load only models signed (gradus sign) by a key in --trusted-keys; others are refused, naming the file.")
    boolean requireSigned;

    @Option(names = "--trusted-keys", paramLabel = "DIR", description = "Public keys (*.pem) whose signatures --require-signed accepts.")
    Path trustedKeys;

    @picocli.CommandLine.Mixin
    ModelKeyOptions modelKey;

    @Override
    public Integer call() throws Exception {
        AuditLog audit = auditLog != null ? AuditLog.open(auditLog) : AuditLog.none();
        ApiKeys keys = apiKeys != null ? ApiKeys.watch(apiKeys, audit)
                : (System.getenv("GRADUS_API_KEYS") != null ? ApiKeys.parse(System.getenv("GRADUS_API_KEYS")) : ApiKeys.none()).withAudit(audit);
        String password = keystorePassword != null ? keystorePassword : System.getenv("GRADUS_KEYSTORE_PASSWORD");
        if (requireSigned != (trustedKeys != null)) throw new IllegalArgumentException("--require-signed and --trusted-keys DIR go together");
        ModelProtection protection = new ModelProtection(trustedKeys == null ? null : TrustedKeys.load(trustedKeys), modelKey.key());
        ServeOptions options = ServeOptions.defaults().withModelProtection(protection).withModelsDir(models).withRunsDir(runs).withAddress(host, port)
                .withBatching(maxBatchSize, Duration.ofNanos((long) (maxBatchDelayMs * 1e6)))
                .withLimits(maxBodyBytes, Duration.ofMillis(timeoutMs), rateLimit, maxTokens)
                .withApiKeys(keys).withTls(keystore, password).withReloadInterval(Duration.ofMillis(reloadMs))
                .withDataDir(dataDir).withAccessLog(!noAccessLog).withPublicMetrics(publicMetrics)
                .withClientLimits(new ServeOptions.ClientLimits(maxConnections, Duration.ofMillis(idleTimeoutMs),
                        Duration.ofMillis(headerTimeoutMs), Duration.ofMillis(bodyTimeoutMs), authFailureRate));
        if (!keys.enabled() && !host.equals("127.0.0.1") && !host.equals("localhost")) {
            System.err.println("warning: no API keys: anyone who can reach " + host + " may run and unload models");
        }
        if (models == null && llms.isEmpty()) throw new IllegalArgumentException("give --models DIR, --llm PATH, or both");
        TextModels text = SavedTextModels.load(models, new TextModels(), protection);
        for (String llm : llms) {
            int eq = llm.indexOf('=');
            Path path = Path.of(eq < 0 ? llm : llm.substring(eq + 1));
            String file = path.toAbsolutePath().normalize().getFileName().toString();
            String name = eq >= 0 ? llm.substring(0, eq) : file.endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
            if (name.isEmpty()) throw new IllegalArgumentException("--llm " + llm + ": the model name before '=' is empty");
            if (text.generator(name) != null) throw new IllegalArgumentException("--llm " + llm + ": a model named '" + name + "' is already served");
            SavedTextModels.registerLanguageModel(name, path, text);
        }
        GradusServer server = new GradusServer(options, text).start();
        System.out.println("gradus serve: " + server.models().all().size() + " tensor models, "
                + (text.generatorNames().size() + text.classifierNames().size() + text.embedderNames().size()) + " text models, " + (keystore != null ? "https" : "http")
                + "://" + host + ":" + server.port() + "/ (UI at /ui/)");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(Duration.ofSeconds(30)); // finish requests in flight
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
