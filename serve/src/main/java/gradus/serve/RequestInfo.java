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
    /** The API key's entry (null without keys): its model scope is checked by {@link #model(String)}. */
    volatile ApiKeys.Entry key;
    /** Why the request was refused, for the audit log. */
    volatile String refusal;

    /** Records the model a request uses; 403 when the request's API key is not scoped to it. */
    void model(String name) {
        model = name;
        if (key != null && !key.mayUse(name)) {
            refusal = "model outside the key's scope";
            throw new ApiException(403, "this API key may not use model '" + name + "'");
        }
    }

    static RequestInfo of(ServerRequest req) {
        return req.context().get(RequestInfo.class).orElseGet(RequestInfo::new);
    }
}
