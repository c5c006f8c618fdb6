package gradus.serve;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Ids that tie an "internal error" answer to its log entry: sent in {@link #HEADER} and the body, logged with the stack trace. */
final class RequestIds {
    static final HeaderName HEADER = HeaderNames.create("X-Request-Id");

    private RequestIds() {}

    /** 16 random hex digits: chosen by the server, so a client cannot put text of its own into the log. */
    static String next() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }
}
