package io.jembed.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One HTTP request as an endpoint sees it, whatever carries it: method, path, headers, the whole
 * body, the deadline it must be answered by, and a signal for when its client hangs up.
 */
public final class ApiRequest {
  private final String method;
  private final String path;
  private final String query;
  private final Function<String, String> headers;
  private final byte[] body;
  private final long deadlineNanos;
  private final List<Runnable> onClientGone = new ArrayList<>();
  private boolean clientGone;

  /**
   * @param headers a header's first value by name (any case), or null
   * @param deadlineNanos {@link System#nanoTime()} by which the request should be answered
   */
  ApiRequest(
      String method,
      String path,
      Function<String, String> headers,
      byte[] body,
      long deadlineNanos) {
    this(method, path, "", headers, body, deadlineNanos);
  }

  /**
   * @param query the raw query string (after '?', still percent-encoded), or "" when none
   */
  ApiRequest(
      String method,
      String path,
      String query,
      Function<String, String> headers,
      byte[] body,
      long deadlineNanos) {
    this.method = method;
    this.path = path;
    this.query = query == null ? "" : query;
    this.headers = headers;
    this.body = body;
    this.deadlineNanos = deadlineNanos;
  }

  /** Upper case: GET, HEAD, POST... */
  public String method() {
    return method;
  }

  /** The path without the query string. */
  public String path() {
    return path;
  }

  /**
   * A query parameter's first value, decoded, or null when absent.
   *
   * @throws ApiException 400 for a malformed percent-escape
   */
  public String queryParameter(String name) {
    try {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        if (!key.isEmpty() && URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
          return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
      }
      return null;
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "malformed_request", "malformed query string: " + query);
    }
  }

  /** A header's first value (any case), or null. */
  public String header(String name) {
    return headers.apply(name);
  }

  /** The whole body (empty when none); do not change it. */
  public byte[] body() {
    return body;
  }

  /** {@link System#nanoTime()} by which the request should be answered. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** Runs {@code action} when the client hangs up before its answer (at once if it has already). */
  void onClientGone(Runnable action) {
    boolean now;
    synchronized (this) {
      now = clientGone;
      if (!now) {
        onClientGone.add(action);
      }
    }
    if (now) {
      action.run();
    }
  }

  /** Called by the transport when the connection closes before the answer was sent. */
  void clientGone() {
    List<Runnable> actions;
    synchronized (this) {
      if (clientGone) {
        return;
      }
      clientGone = true;
      actions = List.copyOf(onClientGone);
      onClientGone.clear();
    }
    actions.forEach(Runnable::run);
  }
}
