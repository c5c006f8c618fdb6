package gradus.serve;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader over bytes for the inference hot path: tensor data goes straight into a
 * float array, numbers are converted without building strings (exactly, falling back to
 * {@link Float#parseFloat} in the rare cases the fast path cannot decide). General JSON values
 * (parameters) become maps, lists, strings, numbers, booleans and null. Any syntax error is a 400.
 */
final class JsonScanner {
    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    private static final int MAX_DEPTH = 64;

    private final byte[] b;
    private final int end;
    private int i;

    JsonScanner(byte[] bytes, int length) {
        this.b = bytes;
        this.end = length;
    }

    ApiException error(String what) {
        return ApiException.badRequest("malformed JSON at byte " + i + ": " + what);
    }

    /** Skips whitespace and returns the next byte without consuming it (-1 at the end). */
    int peek() {
        while (i < end && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) i++;
        return i < end ? b[i] : -1;
    }

    void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'" + (i < end ? ", found '" + (char) b[i] + "'" : ", found the end"));
        i++;
    }

    /** After a value inside an object or array: true if a comma follows (consumed), false before the closing bracket. */
    boolean more(char close) {
        int c = peek();
        if (c == ',') {
            i++;
            return true;
        }
        if (c == close) return false;
        throw error("expected ',' or '" + close + "'");
    }

    /** Consumes '{' and tells whether the object is empty (then '}' is consumed too). */
    boolean openObject() {
        expect('{');
        if (peek() == '}') {
            i++;
            return false;
        }
        return true;
    }

    String key() {
        String k = string();
        expect(':');
        return k;
    }

    String string() {
        expect('"');
        int start = i;
        StringBuilder sb = null;
        while (true) {
            if (i >= end) throw error("unterminated string");
            byte c = b[i];
            if (c == '"') {
                String s = sb == null ? new String(b, start, i - start, StandardCharsets.UTF_8) : sb.toString();
                i++;
                return s;
            }
            if (c == '\\') {
                if (sb == null) sb = new StringBuilder(new String(b, start, i - start, StandardCharsets.UTF_8));
                if (++i >= end) throw error("unterminated string");
                switch (b[i]) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (i + 4 >= end) throw error("bad \\u escape");
                        try {
                            sb.append((char) Integer.parseInt(new String(b, i + 1, 4, StandardCharsets.US_ASCII), 16));
                        } catch (NumberFormatException e) {
                            throw error("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> throw error("bad escape");
                }
                i++;
                start = i;
                continue;
            }
            if ((c & 0xFF) < 0x20) throw error("control character in a string");
            if (sb != null) { // copy the run up to the next quote or escape
                int runStart = i;
                while (i < end && b[i] != '"' && b[i] != '\\') i++;
                sb.append(new String(b, runStart, i - runStart, StandardCharsets.UTF_8));
                continue;
            }
            i++;
        }
    }

    /** Any JSON value as plain Java objects (Long or Double for numbers). */
    Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nested too deeply");
        int c = peek();
        switch (c) {
            case '{' -> {
                Map<String, Object> m = new LinkedHashMap<>();
                if (!openObject()) return m;
                do {
                    String k = key();
                    m.put(k, value(depth + 1));
                } while (more('}'));
                i++;
                return m;
            }
            case '[' -> {
                i++;
                List<Object> l = new ArrayList<>();
                if (peek() == ']') {
                    i++;
                    return l;
                }
                do l.add(value(depth + 1)); while (more(']'));
                i++;
                return l;
            }
            case '"' -> {
                return string();
            }
            case 't' -> {
                literal("true");
                return Boolean.TRUE;
            }
            case 'f' -> {
                literal("false");
                return Boolean.FALSE;
            }
            case 'n' -> {
                literal("null");
                return null;
            }
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    int start = i;
                    double d = number();
                    String text = new String(b, start, i - start, StandardCharsets.US_ASCII);
                    if (text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
                        try {
                            return Long.parseLong(text);
                        } catch (NumberFormatException tooLong) {
                            return Double.parseDouble(text);
                        }
                    }
                    return Double.isNaN(d) ? Double.parseDouble(text) : d;
                }
                throw error(c < 0 ? "unexpected end" : "unexpected '" + (char) c + "'");
            }
        }
    }

    private void literal(String word) {
        for (int k = 0; k < word.length(); k++) {
            if (i >= end || b[i] != word.charAt(k)) throw error("expected " + word);
            i++;
        }
    }

    /** Numbers (and booleans as 0/1) of a possibly nested array, appended in row-major order. */
    void floats(InferRequest.FloatList out, int depth) {
        if (depth > MAX_DEPTH) throw error("'data' is nested too deeply");
        int c = peek();
        if (c == '[') {
            i++;
            if (peek() == ']') {
                i++;
                return;
            }
            do floats(out, depth + 1); while (more(']'));
            i++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            out.add(toFloat());
        } else if (c == 't') {
            literal("true");
            out.add(1f);
        } else if (c == 'f') {
            literal("false");
            out.add(0f);
        } else {
            throw ApiException.badRequest("'data' must hold numbers or booleans (malformed at byte " + i + ")");
        }
    }

    /** The number at the cursor as the float nearest to its decimal value. */
    private float toFloat() {
        int start = i;
        double d = number();
        if (Double.isNaN(d)) return Float.parseFloat(new String(b, start, i - start, StandardCharsets.US_ASCII));
        float f = (float) d;
        // d is the correctly rounded double; rounding it again to float can only go wrong when d sits exactly between two floats.
        if ((Double.doubleToRawLongBits(d) & 0x1FFFFFFFL) == 0x10000000L) {
            return Float.parseFloat(new String(b, start, i - start, StandardCharsets.US_ASCII));
        }
        return f;
    }

    /**
     * Consumes a JSON number and returns it as the correctly rounded double when the fast path
     * applies (a mantissa below 2^53 and a power of ten up to 22: both exact, so one IEEE
     * multiplication or division rounds correctly), else NaN: the caller then parses the text.
     */
    private double number() {
        boolean negative = false;
        if (b[i] == '-') {
            negative = true;
            i++;
        }
        long mantissa = 0;
        int digits = 0, scale = 0;
        int intStart = i;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            if (digits < 19) mantissa = mantissa * 10 + (b[i] - '0');
            else scale--; // digits beyond what a long holds: the fast path gives up below
            if (mantissa != 0) digits++;
            i++;
        }
        if (i == intStart) throw error("bad number");
        if (b[intStart] == '0' && i - intStart > 1) throw error("leading zero in a number");
        if (i < end && b[i] == '.') {
            i++;
            int fracStart = i;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                if (digits < 19) {
                    mantissa = mantissa * 10 + (b[i] - '0');
                    scale++;
                    if (mantissa != 0) digits++;
                }
                i++;
            }
            if (i == fracStart) throw error("bad number");
        }
        int exponent = 0;
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean expNegative = false;
            if (i < end && (b[i] == '+' || b[i] == '-')) expNegative = b[i++] == '-';
            int expStart = i;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                if (exponent < 10000) exponent = exponent * 10 + (b[i] - '0');
                i++;
            }
            if (i == expStart) throw error("bad number");
            if (expNegative) exponent = -exponent;
        }
        int power = exponent - scale;
        if (digits <= 18 && scale >= 0 && Math.abs(power) <= 22 && mantissa < (1L << 53)) {
            double m = mantissa;
            double v = power >= 0 ? m * POW10[power] : m / POW10[-power];
            return negative ? -v : v;
        }
        return Double.NaN;
    }
}
