package gradus.federated;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Secure aggregation after Bonawitz et al. 2017 ("Practical Secure Aggregation for Privacy-Preserving Machine
 * Learning"), honest-but-curious server. Each client u holds two X25519 key pairs (c for encrypting shares, s for
 * masks) and a self-mask seed bᵤ. It sends
 * <pre>yᵤ = xᵤ + PRG(bᵤ) + Σ_{v>u} PRG(sᵤᵥ) − Σ_{v<u} PRG(sᵤᵥ)   (mod 2^64)</pre>
 * where sᵤᵥ is the X25519 agreement of u's and v's s keys, so the pairwise masks cancel in the sum. Before that it
 * Shamir-shares bᵤ and its s private key among the others (encrypted for each under the c-key agreement). After
 * the masked inputs arrive, survivors reveal shares of the survivors' bᵥ and of the dropped clients' s keys, never
 * both for one client; the server removes the masks and learns the sum only.
 * <p>The four messages of a round, as the server routes them, are the records below.
 */
public final class SecureAggregation {
    private SecureAggregation() {}

    /** Round 0: a client's public keys (X.509 encodings). Clients are numbered 1..n, the Shamir x of their shares. */
    public record Keys(int client, byte[] cPublic, byte[] sPublic) {}

    /** Round 1: a share pair from one client for another, AES-GCM encrypted (nonce ‖ ciphertext). */
    public record Share(int from, int to, byte[] ciphertext) {}

    /** Round 2: a masked input, in the ring Z/2^64. */
    public record Masked(int client, long[] values) {}

    /** Round 3: a survivor's shares of the survivors' self-mask seeds and of the dropped clients' s keys. */
    public record Reveal(int from, Map<Integer, BigInteger> selfMaskShares, Map<Integer, BigInteger> keyShares) {}

    /** The unmasked sum, decoded, split into the update sum and the example count carried in the last slot. */
    public record Sum(float[] sum, long examples) {}

    /** The default threshold: a strict majority of the clients that started the round (at least 2). */
    public static int threshold(int clients) {
        return Math.max(2, clients / 2 + 1);
    }

    /** The vector a client masks: its (weighted) update followed by its example count. */
    public static float[] withCount(ClientUpdate u, boolean weighted) {
        float[] v = new float[u.delta().length + 1];
        float w = weighted ? u.examples() : 1;
        for (int i = 0; i < u.delta().length; i++) v[i] = u.delta()[i] * w;
        v[v.length - 1] = u.examples();
        return v;
    }

    public static Sum split(float[] withCount) {
        float[] sum = java.util.Arrays.copyOf(withCount, withCount.length - 1);
        return new Sum(sum, Math.round(withCount[withCount.length - 1]));
    }

    /**
     * Runs the protocol in-process for {@code updates}, of which those named in {@code dropped} drop out after
     * sharing their keys (before sending a masked input). With {@code weighted} the sum is Σ nᵢ·Δᵢ (FedAvg),
     * otherwise Σ Δᵢ (DP-FedAvg). Returns null when fewer than the threshold survive.
     */
    public static Sum simulate(List<ClientUpdate> updates, List<String> dropped, boolean weighted, long round) {
        int n = updates.size();
        int t = threshold(n);
        SecureRandom random = new SecureRandom();
        SecAggServer server = new SecAggServer(updates.get(0).delta().length + 1, t, round);
        List<SecAggClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SecAggClient c = new SecAggClient(i + 1, t, round, withCount(updates.get(i), weighted), random);
            clients.add(c);
            server.receiveKeys(c.advertise());
        }
        List<Keys> keys = server.keys();
        for (SecAggClient c : clients) server.receiveShares(c.shareKeys(keys));
        Set<Integer> droppedIndex = new HashSet<>();
        for (int i = 0; i < n; i++) if (dropped.contains(updates.get(i).client())) droppedIndex.add(i + 1);
        for (SecAggClient c : clients) {
            if (!droppedIndex.contains(c.index())) server.receiveMasked(c.mask(server.sharesFor(c.index())));
        }
        if (server.survivors().size() < t) return null;
        Map<Integer, Reveal> reveals = new LinkedHashMap<>();
        for (SecAggClient c : clients) {
            if (!droppedIndex.contains(c.index())) reveals.put(c.index(), c.unmask(server.survivors()));
        }
        reveals.values().forEach(server::receiveReveal);
        return split(server.sum());
    }
}
