package gradus.serve;

import gradus.io.ModelProtection;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@code gradus serve} can be told. {@link #defaults()} gives a loopback server
 * with batching on, no API keys and no TLS; the {@code with…} methods change one setting.
 *
 * @param modelsDir      model repository: {@code DIR/name/version/} with config.json and model.safetensors
 * @param runsDir        training runs shown by the dashboard (null: none)
 * @param maxBatchSize   rows merged into one forward pass; 1 turns dynamic batching off
 * @param maxBatchDelay  how long a batch waits to fill before it runs (zero: it takes what queued during the last pass)
 * @param maxBodyBytes   larger request bodies get 413
 * @param requestTimeout an inference waiting longer than this for its forward pass gets 503 (like Triton's queue timeout)
 * @param rateLimit      requests per second per API key (or per client address without keys); 0 = unlimited
 * @param maxTokens      upper bound of max_tokens for text generation
 * @param apiKeys        API keys ({@code KEY:ROLE[+ROLE]}, see {@link ApiKeys}); null or empty = no auth
 * @param keystore       PKCS12/JKS keystore for TLS (null: plain HTTP)
 * @param reloadInterval how often the model directory is checked for changes (zero: never)
 * @param dataDir        where datasets are looked up for the dashboard's confusion matrices (null: default)
 * @param clients        connection cap, timeouts and the failed-authentication rate, so no client can starve the listener
 * @param publicMetrics  whether /metrics is open to all when API keys are on (otherwise it needs a key)
 * @param modelProtection signatures required of the model directories and the key to decrypt them (see {@link ModelProtection})
 */
public record ServeOptions(Path modelsDir, Path runsDir, String host, int port, int maxBatchSize, Duration maxBatchDelay,
                           long maxBodyBytes, Duration requestTimeout, double rateLimit, int maxTokens, ApiKeys apiKeys,
                           Path keystore, String keystorePassword, Duration reloadInterval, Path dataDir, boolean accessLog,
                           ClientLimits clients, boolean publicMetrics, ModelProtection modelProtection) {

    public static ServeOptions defaults() {
        return new ServeOptions(null, null, "127.0.0.1", 8080, 64, Duration.ZERO, 16L << 20, Duration.ofSeconds(30),
                0, 1024, ApiKeys.none(), null, null, Duration.ofSeconds(1), null, true,
                ClientLimits.defaults(), false, ModelProtection.NONE);
    }

    public ServeOptions withModelsDir(Path d) {
        return new ServeOptions(d, runsDir, host, port, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, keystore, keystorePassword, reloadInterval, dataDir, accessLog, clients, publicMetrics, modelProtection);
    }

    public ServeOptions withRunsDir(Path d) {
        return new ServeOptions(modelsDir, d, host, port, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, keystore, keystorePassword, reloadInterval, dataDir, accessLog, clients, publicMetrics, modelProtection);
    }

    public ServeOptions withAddress(String h, int p) {
        return new ServeOptions(modelsDir, runsDir, h, p, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, keystore, keystorePassword, reloadInterval, dataDir, accessLog, clients, publicMetrics, modelProtection);
    }

    public ServeOptions withBatching(int size, Duration delay) {
        return new ServeOptions(modelsDir, runsDir, host, port, size, delay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, keystore, keystorePassword, reloadInterval, dataDir, accessLog, clients, publicMetrics, modelProtection);
    }

    public ServeOptions withLimits(long bodyBytes, Duration timeout, double perKeyRate, int tokens) {
        return new ServeOptions(modelsDir, runsDir, host, port, maxBatchSize, maxBatchDelay, bodyBytes, timeout, perKeyRate, tokens, apiKeys, keystore, keystorePassword, reloadInterval, dataDir, accessLog, clients, publicMetrics, modelProtection);
    }

    public ServeOptions withApiKeys(ApiKeys keys) {
        return new ServeOptions(modelsDir, runsDir, host, port, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, keys, keystore, keystorePassword, reloadInterval, dataDir, accessLog, clients, publicMetrics, modelProtection);
    }

    public ServeOptions withTls(Path store, String password) {
        return new ServeOptions(modelsDir, runsDir, host, port, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, store, password, reloadInterval, dataDir, accessLog, clients, publicMetrics, modelProtection);
    }

    public ServeOptions withReloadInterval(Duration d) {
        return new ServeOptions(modelsDir, runsDir, host, port, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, keystore, keystorePassword, d, dataDir, accessLog, clients, publicMetrics, modelProtection);
    }

    public ServeOptions withDataDir(Path d) {
        return new ServeOptions(modelsDir, runsDir, host, port, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, keystore, keystorePassword, reloadInterval, d, accessLog, clients, publicMetrics, modelProtection);
    }

    public ServeOptions withAccessLog(boolean on) {
        return new ServeOptions(modelsDir, runsDir, host, port, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, keystore, keystorePassword, reloadInterval, dataDir, on, clients, publicMetrics, modelProtection);
    }

    public ServeOptions withClientLimits(ClientLimits c) {
        return new ServeOptions(modelsDir, runsDir, host, port, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, keystore, keystorePassword, reloadInterval, dataDir, accessLog, c, publicMetrics, modelProtection);
    }

    public ServeOptions withModelProtection(ModelProtection protection) {
        return new ServeOptions(modelsDir, runsDir, host, port, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, keystore, keystorePassword, reloadInterval, dataDir, accessLog, clients, publicMetrics, protection);
    }

    public ServeOptions withPublicMetrics(boolean open) {
        return new ServeOptions(modelsDir, runsDir, host, port, maxBatchSize, maxBatchDelay, maxBodyBytes, requestTimeout, rateLimit, maxTokens, apiKeys, keystore, keystorePassword, reloadInterval, dataDir, accessLog, clients, open, modelProtection);
    }

    /**
     * What one client may hold or try: connections (idle floods, slowloris) and authentication failures (key guessing).
     *
     * @param maxConnections     open connections at most; more wait in the kernel's accept queue. Lowered at start to
     *                           what the process's file-descriptor limit leaves room for
     * @param idleTimeout        a connection with no request for this long is closed
     * @param headerTimeout      a request's headers must arrive within this time after its first line
     * @param bodyTimeout        a request's body must arrive within this time after its headers
     * @param authFailureRate    failed authentications per second per client address before 429 (bursts of ten)
     */
    public record ClientLimits(int maxConnections, Duration idleTimeout, Duration headerTimeout, Duration bodyTimeout,
                              double authFailureRate) {
        public ClientLimits {
            if (maxConnections < 1) throw new IllegalArgumentException("the connection cap must be at least 1, got " + maxConnections);
            for (Duration d : new Duration[] {idleTimeout, headerTimeout, bodyTimeout}) {
                if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("connection timeouts must be positive, got " + d);
            }
            if (!(authFailureRate > 0)) throw new IllegalArgumentException("the failed-authentication rate must be positive, got " + authFailureRate);
        }

        public static ClientLimits defaults() {
            return new ClientLimits(1000, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(60), 1);
        }
    }
}
