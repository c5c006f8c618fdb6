package gradus.federated;

import gradus.federated.SecureAggregation.Keys;
import gradus.federated.SecureAggregation.Masked;
import gradus.federated.SecureAggregation.Reveal;
import gradus.federated.SecureAggregation.Share;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server's side of one secure-aggregation round: it routes keys and encrypted shares, collects masked inputs
 * and, from at least {@code threshold} reveals, removes the masks. It never holds an unmasked single input.
 */
public final class SecAggServer {
    private final int dimension;
    private final int threshold;
    private final long round;
    private final Map<Integer, Keys> keys = new TreeMap<>();
    private final Map<Integer, List<Share>> shares = new HashMap<>();
    private final Set<Integer> shared = new TreeSet<>();
    private final Map<Integer, long[]> masked = new TreeMap<>();
    private final Map<Integer, Reveal> reveals = new TreeMap<>();

    public SecAggServer(int dimension, int threshold, long round) {
        this.dimension = dimension;
        this.threshold = threshold;
        this.round = round;
    }

    public int threshold() {
        return threshold;
    }

    public synchronized void receiveKeys(Keys k) {
        if (!shared.isEmpty()) throw new IllegalStateException("client " + k.client() + " sent keys after the key phase closed");
        keys.put(k.client(), k);
    }

    public synchronized List<Keys> keys() {
        return List.copyOf(keys.values());
    }

    public synchronized void receiveShares(List<Share> fromOne) {
        for (Share sh : fromOne) {
            if (!keys.containsKey(sh.from()) || !keys.containsKey(sh.to())) {
                throw new IllegalArgumentException("share from " + sh.from() + " to " + sh.to() + " names a client that sent no keys");
            }
            shares.computeIfAbsent(sh.to(), x -> new ArrayList<>()).add(sh);
            shared.add(sh.from());
        }
    }

    /** The shares addressed to {@code client}: its view of who is still in. */
    public synchronized List<Share> sharesFor(int client) {
        return List.copyOf(shares.getOrDefault(client, List.of()));
    }

    public synchronized void receiveMasked(Masked m) {
        if (!shared.contains(m.client())) throw new IllegalArgumentException("client " + m.client() + " sent a masked input without sharing keys");
        if (m.values().length != dimension) {
            throw new IllegalArgumentException("masked input of client " + m.client() + " has " + m.values().length + " values, expected " + dimension);
        }
        masked.put(m.client(), m.values());
    }

    /** The clients whose masked input arrived: the set every survivor is asked to unmask for. */
    public synchronized Set<Integer> survivors() {
        return Set.copyOf(masked.keySet());
    }

    public synchronized void receiveReveal(Reveal r) {
        if (!masked.containsKey(r.from())) throw new IllegalArgumentException("client " + r.from() + " reveals shares but sent no masked input");
        reveals.put(r.from(), r);
    }

    /** The sum of the survivors' inputs, decoded; needs {@code threshold} reveals. */
    public synchronized float[] sum() {
        if (reveals.size() < threshold) throw new IllegalStateException("only " + reveals.size() + " clients revealed shares; the threshold is " + threshold);
        long[] total = new long[dimension];
        for (long[] y : masked.values()) SecAggClient.add(total, y, 1);
        for (int u : masked.keySet()) {
            byte[] seed = Shamir.combine(collect(u, true), 32);
            SecAggClient.add(total, MaskStream.words(seed, SecAggClient.selfLabel(round), dimension), -1);
        }
        for (int v : shared) {
            if (masked.containsKey(v)) continue;
            PrivateKey sKey = X25519.privateKey(Shamir.combine(collect(v, false), 32));
            for (int u : masked.keySet()) {
                byte[] seed = X25519.agree(sKey, X25519.publicKey(keys.get(u).sPublic(), u));
                // u added +PRG(s_uv) when u < v, −PRG(s_uv) otherwise; take it away
                SecAggClient.add(total, MaskStream.words(seed, SecAggClient.pairLabel(round), dimension), u < v ? -1 : 1);
            }
        }
        return FixedPoint.decode(total);
    }

    private Map<Integer, BigInteger> collect(int client, boolean selfMask) {
        Map<Integer, BigInteger> out = new TreeMap<>();
        for (Reveal r : reveals.values()) {
            BigInteger share = (selfMask ? r.selfMaskShares() : r.keyShares()).get(client);
            if (share != null) out.put(r.from(), share);
            if (out.size() == threshold) break;
        }
        if (out.size() < threshold) {
            throw new IllegalStateException("only " + out.size() + " shares of client " + client + "'s " + (selfMask ? "self-mask seed" : "mask key")
                    + " were revealed; the threshold is " + threshold);
        }
        return out;
    }
}
