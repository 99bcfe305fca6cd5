package dev.agentkernel.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Routes of agentkernel's server that this one knows but does not serve: a 501 that says why, rather than a
 * 404 that would read as a typo in the client.
 */
final class UnimplementedRoutes {
    private static final String OUT_OF_SCOPE = "this server does not offer agentkernel's %s routes";

    private UnimplementedRoutes() {
    }

    static List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
            for (String area : List.of("orchestrations", "objects", "schedules", "stores")) {
                routes.add(refuse(method, "/" + area + "/**", String.format(OUT_OF_SCOPE, "durable " + area)));
            }
            routes.add(refuse(method, "/llm/**", String.format(OUT_OF_SCOPE, "LLM key")));
            routes.add(refuse(method, "/sandboxes/{name}/browser/**", String.format(OUT_OF_SCOPE, "browser")));
        }
        return routes;
    }

    private static Route refuse(String method, String path, String why) {
        return Route.of(method, path, c -> {
            throw ApiException.notImplemented(why);
        });
    }
}
