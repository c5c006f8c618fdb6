package gradus.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** Small request/response helpers shared by the APIs. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();

    private Http() {}

    /**
     * The whole body, at most {@code limit} bytes (413 beyond; chunked bodies are counted as they arrive, and
     * compressed ones as they inflate: see {@link RequestDecoding}).
     */
    static byte[] body(ServerRequest req, long limit) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > limit) throw tooLarge(limit);
        boolean compressed = req.headers().first(HeaderNames.CONTENT_ENCODING)
                .map(e -> !e.isBlank() && !e.trim().equalsIgnoreCase("identity")).orElse(false);
        ConnectionGuard guard = RequestInfo.of(req).guard;
        ConnectionGuard.Tracked tracked = guard == null ? null : guard.bodyStarts();
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) throw compressed ? new ApiException(413, tooLarge(limit).getMessage() + " once decompressed") : tooLarge(limit);
            return bytes;
        } catch (IOException | RuntimeException e) {
            if (ConnectionGuard.bodyRead(tracked)) throw new ApiException(408, "the request body did not arrive in time");
            if (e instanceof IOException io) throw new UncheckedIOException(io);
            throw (RuntimeException) e;
        } finally {
            ConnectionGuard.bodyRead(tracked);
        }
    }

    /**
     * Whether a failure is the client having gone away while its response was written (a closed SSE
     * stream): Helidon reports a failed socket write as a {@link ServerConnectionException}.
     */
    static boolean clientGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof ServerConnectionException) return true;
        return false;
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "request body exceeds the limit of " + limit + " bytes");
    }

    /** The body parsed as a JSON object (400 when it is not one). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> jsonObject(ServerRequest req, long limit) {
        return jsonObject(body(req, limit));
    }

    /** Bytes parsed as a JSON object (400 when they are not one). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> jsonObject(byte[] body) {
        try {
            Object v = JSON.readValue(body, Object.class);
            if (!(v instanceof Map<?, ?> m)) throw ApiException.badRequest("the request body must be a JSON object");
            return (Map<String, Object>) m;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) { // bytes in memory: only a bad encoding (Jackson's UTF-16/32 detection) gets here
            throw ApiException.badRequest("the body is not JSON in UTF-8: " + e.getMessage());
        }
    }

    static void json(ServerResponse res, int status, Object value) {
        try {
            send(res, status, "application/json", JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void send(ServerResponse res, int status, String contentType, byte[] body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.send(body);
    }
}
