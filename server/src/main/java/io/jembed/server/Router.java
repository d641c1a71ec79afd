package io.jembed.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * then 404 for an unknown path, then 405 for a wrong method. A prefix route ({@link #prefix})
 * answers every path under its prefix that no exact route takes; the longest prefix wins.
 */
public final class Router {
  /** What a route handles; throws {@link ApiException} for an error answer. */
  @FunctionalInterface
  public interface Endpoint {
    ApiResponse handle(ApiRequest request);
  }

  /**
   * A check on a request's head (its body not read yet) that throws {@link ApiException} to refuse
   * it at once, e.g. when the server could not admit it anyway.
   */
  @FunctionalInterface
  public interface Screen {
    void check(ApiRequest head);
  }

  /** Who may call a route. */
  public enum Access {
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

  /** Prefix routes, by prefix then method. */
  private final Map<String, Map<String, Route>> prefixes = new LinkedHashMap<>();

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

  /**
   * An endpoint for every path that starts with {@code prefix} (which ends with '/') and that no
   * exact route takes, e.g. {@code /maps/} for {@code /maps/ID/coordinates}; one prefix may have a
   * route per method. The endpoint reads the rest of the path itself.
   */
  Router prefix(String method, String prefix, Access access, Endpoint endpoint) {
    if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
      throw new IllegalArgumentException("a prefix starts and ends with '/': " + prefix);
    }
    Route route = new Route(prefix + "*", method, access, endpoint);
    if (prefixes.computeIfAbsent(prefix, p -> new LinkedHashMap<>()).putIfAbsent(method, route)
        != null) {
      throw new IllegalArgumentException("two " + method + " routes for " + prefix);
    }
    last = route;
    return this;
  }

  /** The routes for a path: its exact route, or those of its longest matching prefix. */
  private List<Route> candidates(String path) {
    Route exact = routes.get(path);
    if (exact != null) {
      return List.of(exact);
    }
    String best = null;
    for (String prefix : prefixes.keySet()) {
      if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    return best == null ? List.of() : new ArrayList<>(prefixes.get(best).values());
  }

  /** The route a method and path go to, or null when the path has routes for other methods only. */
  private static Route pick(List<Route> candidates, String method) {
    for (Route r : candidates) {
      if (method.equals(r.method) || (r.method.equals("GET") && method.equals("HEAD"))) {
        return r;
      }
    }
    return null;
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
    List<Route> found = candidates(path);
    return found.isEmpty() ? "other" : found.get(0).name;
  }

  /**
   * Runs the screen of the route a request's head goes to, if it has one and the request may use
   * it; throws {@link ApiException} to refuse the request before its body is read.
   */
  void screen(ApiRequest head) {
    Route route = pick(candidates(head.path()), head.method());
    if (route == null
        || route.screen == null
        || !head.method().equals(route.method)
        || (route.access == Access.API_KEY && !auth.accepts(head.header("Authorization")))) {
      return; // the whole request gets its usual answer
    }
    route.screen.check(head);
  }

  ApiResponse handle(ApiRequest request) {
    List<Route> found = candidates(request.path());
    Route route = pick(found, request.method());
    boolean open = route != null ? route.access == Access.OPEN : allOpen(found);
    if (!open && !auth.accepts(request.header("Authorization"))) {
      throw new ApiException(
          401,
          "unauthorized",
          "missing or wrong API key (Authorization: Bearer KEY)",
          Map.of("WWW-Authenticate", "Bearer"));
    }
    if (found.isEmpty()) {
      throw ApiException.notFound("no endpoint " + request.path());
    }
    if (route == null) {
      List<String> methods = new ArrayList<>();
      List<String> allow = new ArrayList<>();
      for (Route r : found) {
        methods.add(r.method);
        allow.add(r.method.equals("GET") ? "GET, HEAD" : r.method);
      }
      throw new ApiException(
          405,
          "method_not_allowed",
          request.path() + " takes " + String.join(" or ", methods) + ", not " + request.method(),
          Map.of("Allow", String.join(", ", allow)));
    }
    return route.endpoint.handle(request);
  }

  private static boolean allOpen(List<Route> routes) {
    return !routes.isEmpty() && routes.stream().allMatch(r -> r.access == Access.OPEN);
  }
}
