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
    public record Task(Kind kind, int round, float[] weights, double clipNorm, int secAggIndex, int secAggThreshold) {
        Task(Kind kind, int round, float[] weights, double clipNorm) {
            this(kind, round, weights, clipNorm, 0, 0);
        }

        public enum Kind { TRAIN, WAIT, DONE }
    }

    /** A finished round: who was asked, who answered in time. */
    public record Report(int round, List<String> sampled, List<String> answered, double seconds) {}

    private final FederatedServer server;
    private final ClientSampler sampler;
    private final int rounds;
    private final Duration roundTimeout;
    private final Set<String> known = new TreeSet<>();
    private final Set<String> toldDone = new TreeSet<>();
    private final Map<String, ClientUpdate> received = new HashMap<>();
    private List<String> sampled = List.of();
    private int round = -1;           // the open round, −1 between rounds
    private boolean done;
    private final boolean secure;
    private SecAggServer secAgg;
    private Map<String, Integer> secAggIndex = Map.of();
    private int phase = PHASE_CLOSED;
    private final List<Set<String>> posted = List.of(new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
    private static final List<String> PHASES = List.of("keys", "shares", "masked", "reveal", "closed");
    private static final int PHASE_CLOSED = 4;

    public RoundCoordinator(FederatedServer server, ClientSampler sampler, int rounds, Duration roundTimeout) {
        this(server, sampler, rounds, roundTimeout, false);
    }

    /** With {@code secure}, sampled clients train and then run secure aggregation (see {@link SecureAggregation}) through {@link #secAggPost}. */
    public RoundCoordinator(FederatedServer server, ClientSampler sampler, int rounds, Duration roundTimeout, boolean secure) {
        this.secure = secure;
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
            if (round >= 0 && sampled.contains(client) && !received.containsKey(client) && !(secure && posted.get(0).contains(client))) {
                double clip = server.dp() == null ? 0 : server.dp().clipNorm();
                if (secure) return new Task(Task.Kind.TRAIN, round, server.weights(), clip, secAggIndex.get(client), secAgg.threshold());
                return new Task(Task.Kind.TRAIN, round, server.weights(), clip);
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

    /** The transport calls this once {@code client}'s DONE answer has been written. */
    public synchronized void doneDelivered(String client) {
        toldDone.add(client);
        notifyAll();
    }

    /**
     * After {@link #run}: waits up to {@code max} until every client still known has been told the run is done, so
     * that closing the transport cannot cut a client off mid-answer; false when some were not told in time.
     */
    public synchronized boolean awaitDoneDelivered(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!toldDone.containsAll(known)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
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
                    if (secure) openSecAgg(r);
                    round = r;
                    notifyAll();
                    if (secure) {
                        List<String> answered = runSecAgg(start);
                        for (String c : sampled) if (!answered.contains(c)) known.remove(c);
                        updates = null;
                        sampledAnswered = answered;
                    } else {
                        long deadline = start + roundTimeout.toNanos();
                        while (received.size() < sampled.size()) {
                            long left = deadline - System.nanoTime();
                            if (left <= 0) break;
                            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                        }
                        updates = sampled.stream().filter(received::containsKey).map(received::get).toList();
                        for (String c : sampled) if (!received.containsKey(c)) known.remove(c);
                        sampledAnswered = updates.stream().map(ClientUpdate::client).toList();
                    }
                    round = -1;
                }
                if (updates != null) server.finishRound(updates);
                else finishSecAgg();
                if (onRound != null) onRound.accept(new Report(r + 1, sampled, sampledAnswered, (System.nanoTime() - start) / 1e9));
            }
        } finally {
            synchronized (this) {
                done = true;
                notifyAll();
            }
        }
    }

    private List<String> sampledAnswered = List.of();
    private float[] secAggSum;

    private void openSecAgg(int r) {
        Map<String, Integer> index = new java.util.LinkedHashMap<>();
        for (String c : sampled) index.put(c, index.size() + 1);
        secAggIndex = Map.copyOf(index);
        secAgg = new SecAggServer(server.weights().length + 1, SecureAggregation.threshold(sampled.size()), r);
        posted.forEach(Set::clear);
        secAggSum = null;
        phase = 0;
    }

    /** Runs the four phases, each until everyone still in has posted or the round timeout has passed; returns the survivors. */
    private List<String> runSecAgg(long start) throws InterruptedException {
        Set<String> expected = Set.copyOf(sampled);
        for (int p = 0; p < 4; p++) {
            long deadline = (p == 0 ? start : System.nanoTime()) + roundTimeout.toNanos();
            while (!posted.get(p).containsAll(expected)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            expected = Set.copyOf(posted.get(p));
            if (p < 3 && expected.size() < secAgg.threshold()) break; // too few left: no sum this round
            phase = p + 1;
            notifyAll();
        }
        List<String> survivors = sampled.stream().filter(posted.get(2)::contains).toList();
        try {
            if (phase == 4) secAggSum = secAgg.sum();
        } catch (IllegalStateException e) {
            secAggSum = null; // fewer reveals than the threshold
        }
        phase = PHASE_CLOSED;
        notifyAll();
        return secAggSum == null ? List.of() : survivors;
    }

    private void finishSecAgg() {
        if (secAggSum == null) {
            server.finishRound(List.of());
            return;
        }
        var sum = SecureAggregation.split(secAggSum);
        if (server.dp() != null) server.finishRoundFromSum(sum.sum());
        else server.finishRoundFromSum(sum.sum(), sum.examples());
    }

    /** A secure-aggregation message of {@code client} for the open phase of {@code forRound}; false when that phase has closed. */
    public synchronized boolean secAggPost(String client, int forRound, String phaseName, Map<?, ?> body) {
        int p = PHASES.indexOf(phaseName);
        if (p < 0 || p > 3) throw new IllegalArgumentException("unknown secure-aggregation phase '" + phaseName + "'; phases are keys, shares, masked, reveal");
        if (!secure || forRound != round || p != phase || !secAggIndex.containsKey(client)) return false;
        int index = secAggIndex.get(client);
        switch (p) {
            case 0 -> {
                var k = SecAggJson.keys(body);
                if (k.client() != index) throw new IllegalArgumentException("client " + client + " has index " + index + ", not " + k.client());
                secAgg.receiveKeys(k);
            }
            case 1 -> {
                List<SecureAggregation.Share> shares = new ArrayList<>();
                for (Object o : list(body.get("shares"))) {
                    var sh = SecAggJson.share((Map<?, ?>) o);
                    if (sh.from() != index) throw new IllegalArgumentException("client " + client + " sent a share from index " + sh.from());
                    shares.add(sh);
                }
                secAgg.receiveShares(shares);
            }
            case 2 -> {
                var m = SecAggJson.masked(body, server.weights().length + 1);
                if (m.client() != index) throw new IllegalArgumentException("client " + client + " has index " + index + ", not " + m.client());
                secAgg.receiveMasked(m);
            }
            default -> {
                var rv = SecAggJson.reveal(body);
                if (rv.from() != index) throw new IllegalArgumentException("client " + client + " has index " + index + ", not " + rv.from());
                secAgg.receiveReveal(rv);
            }
        }
        posted.get(p).add(client);
        notifyAll();
        return true;
    }

    /**
     * Waits up to {@code wait} for the phase after {@code afterPhase} to open, then tells {@code client} what it needs:
     * the advertised keys (shares phase), the shares addressed to it (masked phase), the survivors (reveal phase).
     */
    public synchronized Map<String, Object> secAggState(String client, int forRound, String afterPhase, Duration wait) throws InterruptedException {
        int after = PHASES.indexOf(afterPhase);
        if (after < 0) throw new IllegalArgumentException("unknown secure-aggregation phase '" + afterPhase + "'");
        long deadline = System.nanoTime() + wait.toNanos();
        while (forRound == round && phase <= after && phase != PHASE_CLOSED) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return Map.of("phase", "wait");
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (forRound != round || phase == PHASE_CLOSED || !secAggIndex.containsKey(client)) return Map.of("phase", "closed");
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("phase", PHASES.get(phase));
        switch (phase) {
            case 1 -> out.put("keys", secAgg.keys().stream().map(SecAggJson::keys).toList());
            case 2 -> out.put("shares", secAgg.sharesFor(secAggIndex.get(client)).stream().map(SecAggJson::share).toList());
            case 3 -> out.put("survivors", List.copyOf(secAgg.survivors()));
            default -> {}
        }
        return out;
    }

    private static List<?> list(Object v) {
        if (!(v instanceof List<?> l)) throw new IllegalArgumentException("key 'shares' must be a list");
        return l;
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
