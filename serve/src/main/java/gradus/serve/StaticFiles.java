package gradus.serve;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** Serves files from the class path: the web UI and the WebJars it uses. */
final class StaticFiles {
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png", "image/png", "json", "application/json", "map", "application/json",
            "ico", "image/x-icon");

    private StaticFiles() {}

    /** Sends {@code root + rest} from the class path, or 404. */
    static void serve(ServerRequest req, ServerResponse res, String root, String rest) {
        RequestInfo.of(req).endpoint = "ui";
        if (rest.isEmpty() || rest.endsWith("/")) rest += "index.html";
        if (rest.contains("..") || rest.contains("\\")) throw ApiException.notFound("no such file");
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(root + rest)) {
            if (in == null) throw ApiException.notFound("no such file: " + rest);
            String ext = rest.substring(rest.lastIndexOf('.') + 1);
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            Http.send(res, 200, TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
