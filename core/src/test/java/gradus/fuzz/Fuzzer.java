package gradus.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A seeded mutation fuzzer for the parsers. It feeds a target the kept regression inputs
 * ({@code src/test/resources/fuzz/NAME/}), the seeds, then {@link #iterations} mutants of them, and fails
 * when any input makes the target throw something other than the clear errors it declares, throw an
 * {@link Error} (OutOfMemoryError, StackOverflowError), or allocate more than
 * {@code allocationMultiple × input length + allocationSlack} bytes on the calling thread.
 *
 * <p>The same seed gives the same inputs, so a failure in CI replays here. Each failing input is written to
 * {@code target/fuzz-findings/NAME/} so it can be copied into the regression corpus once fixed.
 * {@code -Dgradus.fuzz.iterations=N} and {@code -Dgradus.fuzz.seed=S} run a longer or different campaign.
 */
public final class Fuzzer {
    /** What is fuzzed: parse the bytes as the format, throwing only the declared clear errors. */
    @FunctionalInterface
    public interface Target {
        void accept(byte[] input) throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, Integer.MAX_VALUE,
            Integer.MIN_VALUE, 0x7fffff00, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, 1_000_000_000};
    private static final String[] TEXT_TOKENS = {"0", "-1", "2147483647", "2147483648", "4294967296", "-2147483649",
            "9223372036854775807", "99999999999999999999999", "1e9", "1e30", "-1e30", "1.5", "NaN", "Infinity",
            "null", "true", "false", "\"\"", "[]", "{}", "[[1]]", "[", "]", "{", "}", "\"", ":", ",", "\\", "\\u0000",
            "\u0000", "\n", "\r\n", "\t", "\u00e9", "\ud83d\ude00", "\uffff", "'", "&a", "*a", "!!binary", "---"};

    private final String name;
    private final Target target;
    private final List<byte[]> seeds = new ArrayList<>();
    private final List<Class<? extends Throwable>> expected = new ArrayList<>();
    private final List<byte[]> dictionary = new ArrayList<>();
    private int iterations = Integer.getInteger("gradus.fuzz.iterations", 2000);
    private long seed = Long.getLong("gradus.fuzz.seed", 20261207L);
    private long allocationMultiple = 64;
    private long allocationSlack = 32L << 20;
    private int maxLength = 1 << 20;

    private Fuzzer(String name, Target target) {
        this.name = name;
        this.target = target;
        for (String token : TEXT_TOKENS) dictionary.add(token.getBytes(StandardCharsets.UTF_8));
    }

    /** A campaign called {@code name} (also the corpus folder) against {@code target}. */
    public static Fuzzer of(String name, Target target) {
        return new Fuzzer(name, target);
    }

    public Fuzzer seed(byte[] input) {
        seeds.add(input.clone());
        return this;
    }

    public Fuzzer seed(String text) {
        return seed(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The clear errors the target may throw (subclasses count). Anything else is a finding. */
    @SafeVarargs
    public final Fuzzer expect(Class<? extends Throwable>... types) {
        expected.addAll(List.of(types));
        return this;
    }

    /** Tokens spliced into inputs besides the built-in ones (field names, magic numbers, keywords). */
    public Fuzzer dictionary(String... tokens) {
        for (String token : tokens) dictionary.add(token.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public Fuzzer iterations(int count) {
        this.iterations = Integer.getInteger("gradus.fuzz.iterations", count);
        return this;
    }

    /** An input may make the target allocate at most {@code multiple × length + slackBytes} bytes. */
    public Fuzzer allocationLimit(long multiple, long slackBytes) {
        this.allocationMultiple = multiple;
        this.allocationSlack = slackBytes;
        return this;
    }

    /** Mutants are cut to this many bytes. */
    public Fuzzer maxLength(int bytes) {
        this.maxLength = bytes;
        return this;
    }

    /** Runs the campaign; throws an AssertionError that lists the distinct findings and where their inputs were saved. */
    public Result run() {
        if (seeds.isEmpty()) throw new IllegalStateException(name + ": no seeds");
        Map<String, String> findings = new LinkedHashMap<>();
        int executed = 0;
        for (byte[] input : regressionCorpus()) {
            check(input, findings);
            executed++;
        }
        for (byte[] input : seeds) {
            check(input, findings);
            executed++;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < iterations; i++) {
            check(mutate(random), findings);
            executed++;
        }
        if (!findings.isEmpty()) {
            StringBuilder message = new StringBuilder(name + ": " + findings.size() + " distinct finding(s) in "
                    + executed + " inputs (seed " + seed + ")");
            findings.forEach((kind, file) -> message.append("\n  ").append(kind).append("  ← ").append(file));
            throw new AssertionError(message);
        }
        return new Result(executed);
    }

    /** How many inputs ran. */
    public record Result(int executed) {}

    private void check(byte[] input, Map<String, String> findings) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        String problem = null;
        try {
            target.accept(input);
        } catch (Throwable thrown) {
            if (!isExpected(thrown)) problem = describe(thrown);
            else if (thrown.getMessage() == null || thrown.getMessage().isBlank()) {
                problem = thrown.getClass().getName() + " without a message";
            }
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long limit = allocationMultiple * input.length + allocationSlack;
        if (problem == null && allocated > limit) {
            problem = "allocated " + allocated + " bytes for a " + input.length + "-byte input (limit " + limit + ")";
        }
        if (problem != null) {
            String kind = problem.replaceAll("\\d{3,}", "N");
            if (!findings.containsKey(kind)) findings.put(kind, save(input));
        }
    }

    private boolean isExpected(Throwable thrown) {
        if (thrown instanceof Error) return false;
        for (Class<? extends Throwable> type : expected) {
            if (type.isInstance(thrown)) return true;
        }
        return false;
    }

    private static String describe(Throwable thrown) {
        StackTraceElement[] trace = thrown.getStackTrace();
        String where = trace.length == 0 ? "?" : trace[0].getClassName() + "." + trace[0].getMethodName();
        for (StackTraceElement frame : trace) {
            if (frame.getClassName().startsWith("gradus.") && !frame.getClassName().startsWith("gradus.fuzz.")) {
                where += " via " + frame.getClassName() + "." + frame.getMethodName() + ":" + frame.getLineNumber();
                break;
            }
        }
        String message = String.valueOf(thrown.getMessage());
        if (message.length() > 160) message = message.substring(0, 160) + "…";
        return thrown.getClass().getName() + " at " + where + ": " + message;
    }

    private byte[] mutate(SplittableRandom random) {
        byte[] data = seeds.get(random.nextInt(seeds.size())).clone();
        int rounds = 1 + random.nextInt(random.nextInt(8) + 1);
        for (int r = 0; r < rounds; r++) data = mutateOnce(data, random);
        return data.length > maxLength ? java.util.Arrays.copyOf(data, maxLength) : data;
    }

    private byte[] mutateOnce(byte[] data, SplittableRandom random) {
        int n = data.length;
        int at = n == 0 ? 0 : random.nextInt(n);
        switch (random.nextInt(10)) {
            case 0 -> {
                if (n > 0) data[at] ^= (byte) (1 << random.nextInt(8));
            }
            case 1 -> {
                if (n > 0) data[at] = (byte) random.nextInt(256);
            }
            case 2 -> {
                long value = INTERESTING[random.nextInt(INTERESTING.length)];
                int width = new int[] {1, 2, 4, 8}[random.nextInt(4)];
                boolean bigEndian = random.nextBoolean();
                for (int i = 0; i < width && at + i < n; i++) {
                    int shift = 8 * (bigEndian ? width - 1 - i : i);
                    data[at + i] = (byte) (value >>> shift);
                }
            }
            case 3, 4 -> {
                byte[] token = dictionary.get(random.nextInt(dictionary.size()));
                return random.nextBoolean() ? insert(data, at, token) : overwrite(data, at, token);
            }
            case 5 -> {
                if (n > 0) {
                    int length = 1 + random.nextInt(Math.min(n - at, 64));
                    byte[] out = new byte[n - length];
                    System.arraycopy(data, 0, out, 0, at);
                    System.arraycopy(data, at + length, out, at, n - at - length);
                    return out;
                }
            }
            case 6 -> {
                if (n > 0) {
                    int length = 1 + random.nextInt(Math.min(n - at, 256));
                    return insert(data, random.nextInt(n + 1), java.util.Arrays.copyOfRange(data, at, at + length));
                }
            }
            case 7 -> {
                return java.util.Arrays.copyOf(data, n == 0 ? 0 : random.nextInt(n));
            }
            case 8 -> {
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                if (other.length > 0) {
                    int from = random.nextInt(other.length);
                    int length = 1 + random.nextInt(Math.min(other.length - from, 256));
                    return overwrite(data, at, java.util.Arrays.copyOfRange(other, from, from + length));
                }
            }
            default -> {
                // An ASCII digit run lengthened: turns small numbers in text formats into huge ones.
                for (int i = at; i < n; i++) {
                    if (data[i] >= '0' && data[i] <= '9') {
                        return insert(data, i, "99999999".getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
        }
        return data;
    }

    private static byte[] insert(byte[] data, int at, byte[] piece) {
        byte[] out = new byte[data.length + piece.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(piece, 0, out, at, piece.length);
        System.arraycopy(data, at, out, at + piece.length, data.length - at);
        return out;
    }

    private static byte[] overwrite(byte[] data, int at, byte[] piece) {
        byte[] out = data.length >= at + piece.length ? data : java.util.Arrays.copyOf(data, at + piece.length);
        System.arraycopy(piece, 0, out, at, piece.length);
        return out;
    }

    private List<byte[]> regressionCorpus() {
        URL folder = Fuzzer.class.getResource("/fuzz/" + name);
        if (folder == null) return List.of();
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
            List<byte[]> inputs = new ArrayList<>();
            for (Path file : files.sorted().toList()) inputs.add(Files.readAllBytes(file));
            return inputs;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read the fuzz corpus of " + name, e);
        }
    }

    private String save(byte[] input) {
        try {
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(input)).substring(0, 16);
            Path file = Path.of("target", "fuzz-findings", name, hash + ".bin").toAbsolutePath();
            Files.createDirectories(file.getParent());
            Files.write(file, input);
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
