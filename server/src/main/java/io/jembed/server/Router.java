package io.jembed.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The routing table: which endpoint answers which method and path, and whether it needs the API
 * key. Transport concerns (sockets, timeouts, body limits) stay in {@link HttpTransport}; errors an
 * endpoint throws as {@link ApiException} become JSON answers in {@link EmbeddingServer}.
 *
 * <p>A new endpoint is one line where the server builds its table, e.g. {@code
 * router.get("/v1/thing", Access.API_KEY, request -> ApiResponse.json(200, thing()))}; a route may
 * add a {@link Screen} that refuses requests from their head. Checks run in this order: the API key
 * (unless the route is open, so unknown paths do not tell a caller without the key what exists),
 * then 404 for an unknown path, then 405 for a wrong method.
 */
final class Router {
  /** What a route handles; throws {@link ApiException} for an error answer. */
  @FunctionalInterface
  interface Endpoint {
    ApiResponse handle(ApiRequest request);
  }

  /**
   * A check on a request's head (its body not read yet) that throws {@link ApiException} to refuse
   * it at once, e.g. when the server could not admit it anyway.
   */
  @FunctionalInterface
  interface Screen {
    void check(ApiRequest head);
  }

  enum Access {
    /** Anyone: health probes, a public page. */
    OPEN,
    /** Only with {@code Authorization: Bearer KEY} when the server has a key. */
    API_KEY
  }

  private static final class Route {
    final String name;
    final String method;
    final Access access;
    final Endpoint endpoint;
    Screen screen;

    Route(String name, String method, Access access, Endpoint endpoint) {
      this.name = name;
      this.method = method;
      this.access = access;
      this.endpoint = endpoint;
    }
  }

  private final Auth auth;
  private final Map<String, Route> routes = new LinkedHashMap<>();
  private Route last;

  Router(Auth auth) {
    this.auth = auth;
  }

  /** A GET (and HEAD) endpoint at {@code path} and its aliases. */
  Router get(String path, Access access, Endpoint endpoint, String... aliases) {
    return add("GET", path, access, endpoint, aliases);
  }

  /** A POST endpoint at {@code path} and its aliases. */
  Router post(String path, Access access, Endpoint endpoint, String... aliases) {
    return add("POST", path, access, endpoint, aliases);
  }

  private Router add(
      String method, String path, Access access, Endpoint endpoint, String... aliases) {
    Route route = new Route(path, method, access, endpoint);
    for (String p : concat(path, aliases)) {
      if (routes.putIfAbsent(p, route) != null) {
        throw new IllegalArgumentException("two routes for " + p);
      }
    }
    last = route;
    return this;
  }

  /** Screens requests to the route added last before their bodies are read. */
  Router screen(Screen screen) {
    last.screen = screen;
    return this;
  }

  private static String[] concat(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  /** The route's own name for metrics ("/v1/embeddings" for "/embeddings"), or "other". */
  String metricName(String path) {
    Route route = routes.get(path);
    return route == null ? "other" : route.name;
  }

  /**
   * Runs the screen of the route a request's head goes to, if it has one and the request may use
   * it; throws {@link ApiException} to refuse the request before its body is read.
   */
  void screen(ApiRequest head) {
    Route route = routes.get(head.path());
    if (route == null
        || route.screen == null
        || !head.method().equals(route.method)
        || (route.access == Access.API_KEY && !auth.accepts(head.header("Authorization")))) {
      return; // the whole request gets its usual answer
    }
    route.screen.check(head);
  }

  ApiResponse handle(ApiRequest request) {
    Route route = routes.get(request.path());
    if ((route == null || route.access == Access.API_KEY)
        && !auth.accepts(request.header("Authorization"))) {
      throw new ApiException(
          401,
          "unauthorized",
          "missing or wrong API key (Authorization: Bearer KEY)",
          Map.of("WWW-Authenticate", "Bearer"));
    }
    if (route == null) {
      throw ApiException.notFound("no endpoint " + request.path());
    }
    String method = request.method();
    boolean allowed =
        method.equals(route.method) || (route.method.equals("GET") && method.equals("HEAD"));
    if (!allowed) {
      throw new ApiException(
          405,
          "method_not_allowed",
          request.path() + " takes " + route.method + ", not " + method,
          Map.of("Allow", route.method.equals("GET") ? "GET, HEAD" : route.method));
    }
    return route.endpoint.handle(request);
  }
}
