package gradus.federated;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The coordinator's rounds, without transport: clients poll for a task and submit updates; {@link #run} starts a
 * round once enough clients are known, samples among them, and closes the round when every sampled client has
 * answered or the round's timeout has passed, whichever comes first — a client that dies mid-round costs the
 * round its update, not the round itself. A sampled client that did not answer is forgotten until it polls again.
 */
public final class RoundCoordinator {
    /** What a polling client is told: train on {@code weights} for {@code round}, wait and poll again, or stop. */
    public record Task(Kind kind, int round, float[] weights, double clipNorm) {
        public enum Kind { TRAIN, WAIT, DONE }
    }

    /** A finished round: who was asked, who answered in time. */
    public record Report(int round, List<String> sampled, List<String> answered, double seconds) {}

    private final FederatedServer server;
    private final ClientSampler sampler;
    private final int rounds;
    private final Duration roundTimeout;
    private final Set<String> known = new TreeSet<>();
    private final Map<String, ClientUpdate> received = new HashMap<>();
    private List<String> sampled = List.of();
    private int round = -1;           // the open round, −1 between rounds
    private boolean done;

    public RoundCoordinator(FederatedServer server, ClientSampler sampler, int rounds, Duration roundTimeout) {
        if (rounds < 1) throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        this.server = server;
        this.sampler = sampler;
        this.rounds = rounds;
        this.roundTimeout = roundTimeout;
    }

    /** Registers {@code client} and waits up to {@code wait} for it to be given work. */
    public synchronized Task poll(String client, Duration wait) throws InterruptedException {
        if (client == null || client.isBlank() || client.length() > 128) throw new IllegalArgumentException("client name must be 1 to 128 characters");
        if (known.add(client)) notifyAll();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            if (done) return new Task(Task.Kind.DONE, server.round(), null, 0);
            if (round >= 0 && sampled.contains(client) && !received.containsKey(client)) {
                return new Task(Task.Kind.TRAIN, round, server.weights(), server.dp() == null ? 0 : server.dp().clipNorm());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return new Task(Task.Kind.WAIT, round, null, 0);
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Accepts an update for the open round from a client sampled for it; false when it is late or was not asked. */
    public synchronized boolean submit(ClientUpdate update, int forRound) {
        if (done || forRound != round || !sampled.contains(update.client()) || received.containsKey(update.client())) return false;
        int expected = server.weights().length;
        if (update.delta().length != expected) {
            throw new IllegalArgumentException("update of client " + update.client() + " has " + update.delta().length + " values, the model " + expected);
        }
        received.put(update.client(), server.dp() == null ? update : server.dp().clip(update)); // clipped again: never trust the client's clipping
        notifyAll();
        return true;
    }

    public synchronized boolean done() {
        return done;
    }

    public synchronized int knownClients() {
        return known.size();
    }

    public float[] weights() {
        return server.weights();
    }

    /**
     * Runs every round. The first waits up to {@code enrolment} for {@code sampler.minimum()} clients, later ones
     * for at least one (clients that died are forgotten, so the minimum may no longer be reachable); an error
     * stops the run when they do not come.
     */
    public void run(Duration enrolment, Consumer<Report> onRound) throws InterruptedException {
        try {
            for (int r = 0; r < rounds; r++) {
                List<String> pool = awaitClients(r == 0 ? sampler.minimum() : 1, enrolment);
                long start = System.nanoTime();
                List<ClientUpdate> updates;
                synchronized (this) {
                    int[] picked = server.dp() != null ? sampler.poisson(pool.size(), r) : sampler.sample(pool.size(), r);
                    List<String> chosen = new ArrayList<>();
                    for (int i : picked) chosen.add(pool.get(i));
                    sampled = List.copyOf(chosen);
                    received.clear();
                    round = r;
                    notifyAll();
                    long deadline = start + roundTimeout.toNanos();
                    while (received.size() < sampled.size()) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) break;
                        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                    updates = sampled.stream().filter(received::containsKey).map(received::get).toList();
                    for (String c : sampled) if (!received.containsKey(c)) known.remove(c);
                    round = -1;
                }
                server.finishRound(updates);
                if (onRound != null) {
                    onRound.accept(new Report(r + 1, sampled, updates.stream().map(ClientUpdate::client).toList(), (System.nanoTime() - start) / 1e9));
                }
            }
        } finally {
            synchronized (this) {
                done = true;
                notifyAll();
            }
        }
    }

    private synchronized List<String> awaitClients(int needed, Duration enrolment) throws InterruptedException {
        long deadline = System.nanoTime() + enrolment.toNanos();
        while (known.size() < needed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("only " + known.size() + " of the " + needed + " clients needed joined within " + enrolment.toSeconds() + " s: " + known);
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(known);
    }
}
