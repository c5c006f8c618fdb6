package gradus.federated;

import gradus.federated.SecureAggregation.Keys;
import gradus.federated.SecureAggregation.Masked;
import gradus.federated.SecureAggregation.Reveal;
import gradus.federated.SecureAggregation.Share;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A client's side of one secure-aggregation round (see {@link SecureAggregation}); one instance per round. */
public final class SecAggClient {
    private static final int SHARE_BYTES = 66; // a GF(2^521 − 1) element

    private final int index;
    private final int threshold;
    private final long round;
    private final long[] input;
    private final SecureRandom random;
    private final KeyPair c, s;
    private final byte[] selfSeed = new byte[32];
    private final Map<Integer, Keys> peers = new TreeMap<>();
    private final Map<Integer, BigInteger[]> held = new HashMap<>(); // from → {share of its s key, share of its b}

    public SecAggClient(int index, int threshold, long round, float[] input, SecureRandom random) {
        if (index < 1) throw new IllegalArgumentException("client index must be at least 1, got " + index);
        this.index = index;
        this.threshold = threshold;
        this.round = round;
        this.input = FixedPoint.encode(input);
        this.random = random;
        this.c = X25519.generate(random);
        this.s = X25519.generate(random);
        random.nextBytes(selfSeed);
    }

    public int index() {
        return index;
    }

    public Keys advertise() {
        return new Keys(index, c.getPublic().getEncoded(), s.getPublic().getEncoded());
    }

    /** Shares of this client's s key and self-mask seed, one encrypted message per other client in {@code keys}. */
    public List<Share> shareKeys(Collection<Keys> keys) {
        if (keys.size() < threshold) throw new IllegalStateException("only " + keys.size() + " clients advertised keys; the threshold is " + threshold);
        for (Keys k : keys) peers.put(k.client(), k);
        if (!peers.containsKey(index)) throw new IllegalStateException("the server's key list leaves out client " + index);
        int n = peers.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
        BigInteger[] sShares = Shamir.split(X25519.scalar(s.getPrivate()), threshold, n, random);
        BigInteger[] bShares = Shamir.split(selfSeed, threshold, n, random);
        List<Share> out = new ArrayList<>();
        for (Keys peer : peers.values()) {
            int v = peer.client();
            if (v == index) {
                held.put(index, new BigInteger[]{sShares[v - 1], bShares[v - 1]});
                continue;
            }
            ByteBuffer plain = ByteBuffer.allocate(2 * SHARE_BYTES);
            plain.put(fixed(sShares[v - 1])).put(fixed(bShares[v - 1]));
            out.add(new Share(index, v, seal(v, plain.array())));
        }
        return out;
    }

    /** The masked input, given the shares addressed to this client (their senders are the clients still in). */
    public Masked mask(Collection<Share> toMe) {
        for (Share sh : toMe) {
            if (sh.to() != index || !peers.containsKey(sh.from())) throw new IllegalArgumentException("share from " + sh.from() + " to " + sh.to() + " is not for client " + index);
            ByteBuffer plain = ByteBuffer.wrap(open(sh));
            byte[] sPart = new byte[SHARE_BYTES], bPart = new byte[SHARE_BYTES];
            plain.get(sPart).get(bPart);
            held.put(sh.from(), new BigInteger[]{new BigInteger(1, sPart), new BigInteger(1, bPart)});
        }
        if (held.size() < threshold) throw new IllegalStateException("only " + held.size() + " clients shared keys; the threshold is " + threshold);
        long[] y = input.clone();
        add(y, MaskStream.words(selfSeed, selfLabel(round), y.length), 1);
        for (int v : held.keySet()) {
            if (v == index) continue;
            byte[] seed = X25519.agree(s.getPrivate(), X25519.publicKey(peers.get(v).sPublic(), v));
            add(y, MaskStream.words(seed, pairLabel(round), y.length), index < v ? 1 : -1);
        }
        return new Masked(index, y);
    }

    /**
     * Shares of the self-mask seeds of {@code survivors} and of the s keys of the others that shared keys. Never
     * both for one client: that would let the server unmask its input.
     */
    public Reveal unmask(Set<Integer> survivors) {
        if (survivors.size() < threshold) throw new IllegalStateException("only " + survivors.size() + " survivors; the threshold is " + threshold);
        if (!survivors.contains(index)) throw new IllegalStateException("client " + index + " is not among the survivors it is asked to unmask");
        Map<Integer, BigInteger> selfShares = new TreeMap<>(), keyShares = new TreeMap<>();
        for (var e : held.entrySet()) {
            if (survivors.contains(e.getKey())) selfShares.put(e.getKey(), e.getValue()[1]);
            else keyShares.put(e.getKey(), e.getValue()[0]);
        }
        for (int u : survivors) {
            if (!held.containsKey(u)) throw new IllegalStateException("survivor " + u + " never shared keys with client " + index);
        }
        return new Reveal(index, selfShares, keyShares);
    }

    static String selfLabel(long round) {
        return "gradus secagg self-mask round " + round;
    }

    static String pairLabel(long round) {
        return "gradus secagg pair-mask round " + round;
    }

    static void add(long[] into, long[] mask, int sign) {
        for (int i = 0; i < into.length; i++) into[i] += sign * mask[i];
    }

    private static byte[] fixed(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[SHARE_BYTES];
        int copy = Math.min(raw.length, SHARE_BYTES);
        System.arraycopy(raw, raw.length - copy, out, SHARE_BYTES - copy, copy);
        return out;
    }

    private byte[] channelKey(int peer) {
        PublicKey theirs = X25519.publicKey(peers.get(peer).cPublic(), peer);
        return MaskStream.hkdf(X25519.agree(c.getPrivate(), theirs), "gradus secagg share channel round " + round, 32);
    }

    private byte[] aad(int from, int to) {
        return ByteBuffer.allocate(16).putInt(from).putInt(to).putLong(round).array();
    }

    private byte[] seal(int to, byte[] plain) {
        try {
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(channelKey(to), "AES"), new GCMParameterSpec(128, nonce));
            gcm.updateAAD(aad(index, to));
            byte[] ct = gcm.doFinal(plain);
            return ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    private byte[] open(Share sh) {
        try {
            if (sh.ciphertext().length < 12 + 16) throw new IllegalArgumentException("share from client " + sh.from() + " is too short");
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(channelKey(sh.from()), "AES"),
                    new GCMParameterSpec(128, sh.ciphertext(), 0, 12));
            gcm.updateAAD(aad(sh.from(), index));
            return gcm.doFinal(sh.ciphertext(), 12, sh.ciphertext().length - 12);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalArgumentException("share from client " + sh.from() + " to client " + index + " failed authentication (altered in transit)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }
}
