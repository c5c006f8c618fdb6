package gradus.serve;

import io.helidon.webserver.http.ServerRequest;


/** What a handler learns about a request that the metrics and the access log label it with. */
final class RequestInfo {
    volatile String model = "";
    volatile String endpoint = "other";
    volatile String client = "-";
    /** Set when the client closed the connection before its response was out (counted as status 499, not as an error). */
    volatile boolean clientGone;
    /** Holds the body to its deadline (null outside a server, as in tests of the handlers). */
    volatile ConnectionGuard guard;

    static RequestInfo of(ServerRequest req) {
        return req.context().get(RequestInfo.class).orElseGet(RequestInfo::new);
    }
}
