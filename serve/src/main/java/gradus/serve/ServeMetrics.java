package gradus.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The server's Prometheus metrics: requests and latency per model, endpoint and status; batches; queues; the JVM. */
final class ServeMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests = Counter.builder().name("gradus_requests_total")
            .help("HTTP requests by model, endpoint and status").labelNames("model", "endpoint", "status").register(registry);
    private final Histogram latency = Histogram.builder().name("gradus_request_duration_seconds")
            .help("HTTP request latency by model, endpoint and status").labelNames("model", "endpoint", "status")
            .classicOnly().classicUpperBounds(.0005, .001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5, 10)
            .register(registry);
    private final Histogram batchSize = Histogram.builder().name("gradus_batch_size")
            .help("Rows per forward pass (dynamic batching)").labelNames("model")
            .classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
    private final Gauge inFlight = Gauge.builder().name("gradus_requests_in_flight")
            .help("Requests being handled").register(registry);

    ServeMetrics() {
        JvmMetrics.builder().register(registry);
    }

    void request(String model, String endpoint, int status, long nanos) {
        String s = Integer.toString(status);
        requests.labelValues(model, endpoint, s).inc();
        latency.labelValues(model, endpoint, s).observe(nanos * 1e-9);
    }

    void batch(String model, int rows) {
        batchSize.labelValues(model).observe(rows);
    }

    void inFlight(int delta) {
        inFlight.inc(delta);
    }

    /** Registers the per-model queue-depth gauge, read from the repository at scrape time. */
    void queueDepth(ModelRepository models) {
        GaugeWithCallback.builder().name("gradus_queue_depth").help("Inference requests waiting for a forward pass")
                .labelNames("model").callback(cb -> {
                    for (ServedModel m : models.all()) cb.call(m.queueDepth(), m.name() + "/" + m.version());
                }).register(registry);
    }

    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    String contentType() {
        return writer.getContentType();
    }
}
