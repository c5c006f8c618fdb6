package gradus.serve;

import java.util.concurrent.ConcurrentHashMap;

/** Token buckets per client: {@code rate} tokens per second on average, bursts up to {@code burst}. */
final class RateLimiter {
    /** Buckets kept at most; beyond, the full ones (clients idle for a while) are dropped. */
    private static final int MAX_CLIENTS = 10_000;
    private final double rate;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Bursts of one second's worth (at least one). */
    RateLimiter(double rate) {
        this(rate, Math.max(1, rate));
    }

    RateLimiter(double rate, double burst) {
        this.rate = rate;
        this.burst = burst;
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }

        /** Refills for the time since the last call; returns the tokens now. */
        double refill(long now, double rate, double burst) {
            tokens = Math.min(burst, tokens + (now - last) * 1e-9 * rate);
            last = now;
            return tokens;
        }
    }

    /** Takes one token; false when the client is over its rate. */
    boolean tryAcquire(String client) {
        if (rate <= 0) return true;
        long now = System.nanoTime();
        Bucket b = bucket(client, now);
        synchronized (b) {
            if (b.refill(now, rate, burst) < 1) return false;
            b.tokens -= 1;
            return true;
        }
    }

    /** Whether the client has a token left, without taking it. */
    boolean allows(String client) {
        if (rate <= 0) return true;
        Bucket b = buckets.get(client);
        if (b == null) return true;
        synchronized (b) {
            return b.refill(System.nanoTime(), rate, burst) >= 1;
        }
    }

    private Bucket bucket(String client, long now) {
        if (buckets.size() >= MAX_CLIENTS) {
            buckets.values().removeIf(b -> {
                synchronized (b) {
                    return b.refill(now, rate, burst) >= burst;
                }
            });
        }
        return buckets.computeIfAbsent(client, k -> new Bucket(burst, now));
    }

    /** Whole seconds until the next token, for Retry-After. */
    long retryAfterSeconds() {
        return Math.max(1, (long) Math.ceil(1 / rate));
    }
}
