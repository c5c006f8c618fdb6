package gradus.serve;

import java.util.concurrent.ConcurrentHashMap;

/** Token buckets per client: {@code rate} requests per second on average, bursts up to one second's worth. */
final class RateLimiter {
    private final double rate;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(double rate) {
        this.rate = rate;
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }
    }

    /** Takes one token; false when the client is over its rate. */
    boolean tryAcquire(String client) {
        if (rate <= 0) return true;
        long now = System.nanoTime();
        Bucket b = buckets.computeIfAbsent(client, k -> new Bucket(Math.max(1, rate), now));
        synchronized (b) {
            b.tokens = Math.min(Math.max(1, rate), b.tokens + (now - b.last) * 1e-9 * rate);
            b.last = now;
            if (b.tokens < 1) return false;
            b.tokens -= 1;
            return true;
        }
    }

    /** Whole seconds until the next token, for Retry-After. */
    long retryAfterSeconds() {
        return Math.max(1, (long) Math.ceil(1 / rate));
    }
}
