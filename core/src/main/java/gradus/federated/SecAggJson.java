package gradus.federated;

import gradus.federated.SecureAggregation.Keys;
import gradus.federated.SecureAggregation.Masked;
import gradus.federated.SecureAggregation.Reveal;
import gradus.federated.SecureAggregation.Share;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Secure-aggregation messages as JSON values (bytes in base64, shares in hex) and back, with errors naming the field. */
public final class SecAggJson {
    private SecAggJson() {}

    public static Map<String, Object> keys(Keys k) {
        return Map.of("index", k.client(), "c_public", b64(k.cPublic()), "s_public", b64(k.sPublic()));
    }

    public static Keys keys(Map<?, ?> m) {
        return new Keys(integer(m, "index"), bytes(m, "c_public"), bytes(m, "s_public"));
    }

    public static Map<String, Object> share(Share s) {
        return Map.of("from", s.from(), "to", s.to(), "ciphertext", b64(s.ciphertext()));
    }

    public static Share share(Map<?, ?> m) {
        return new Share(integer(m, "from"), integer(m, "to"), bytes(m, "ciphertext"));
    }

    public static Map<String, Object> masked(Masked m) {
        ByteBuffer b = ByteBuffer.allocate(m.values().length * 8);
        b.asLongBuffer().put(m.values());
        return Map.of("index", m.client(), "values", b64(b.array()));
    }

    public static Masked masked(Map<?, ?> m, int dimension) {
        byte[] raw = bytes(m, "values");
        if (raw.length != (long) dimension * 8) throw new IllegalArgumentException("masked input has " + raw.length + " bytes, expected " + (long) dimension * 8);
        long[] v = new long[dimension];
        ByteBuffer.wrap(raw).asLongBuffer().get(v);
        return new Masked(integer(m, "index"), v);
    }

    public static Map<String, Object> reveal(Reveal r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from", r.from());
        out.put("self_mask_shares", hex(r.selfMaskShares()));
        out.put("key_shares", hex(r.keyShares()));
        return out;
    }

    public static Reveal reveal(Map<?, ?> m) {
        return new Reveal(integer(m, "from"), shares(m, "self_mask_shares"), shares(m, "key_shares"));
    }

    private static Map<String, String> hex(Map<Integer, BigInteger> shares) {
        Map<String, String> out = new TreeMap<>();
        shares.forEach((k, v) -> out.put(String.valueOf(k), v.toString(16)));
        return out;
    }

    private static Map<Integer, BigInteger> shares(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Map<?, ?> raw)) throw new IllegalArgumentException("key '" + key + "' must be an object of shares");
        Map<Integer, BigInteger> out = new TreeMap<>();
        for (var e : raw.entrySet()) {
            try {
                BigInteger v = new BigInteger(String.valueOf(e.getValue()), 16);
                if (v.signum() < 0 || v.compareTo(Shamir.P) >= 0) throw new NumberFormatException("out of the field");
                out.put(Integer.parseInt(String.valueOf(e.getKey())), v);
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException("key '" + key + "': share for client " + e.getKey() + " is not a field element in hex");
            }
        }
        return out;
    }

    public static List<Integer> indices(Object v) {
        if (!(v instanceof List<?> l)) throw new IllegalArgumentException("expected a list of client indices, got " + v);
        return l.stream().map(x -> ((Number) x).intValue()).toList();
    }

    private static int integer(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number n)) throw new IllegalArgumentException("key '" + key + "' must be a number, got " + m.get(key));
        return n.intValue();
    }

    private static byte[] bytes(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof String s)) throw new IllegalArgumentException("key '" + key + "' must be a base64 string");
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key '" + key + "' is not base64: " + e.getMessage());
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
