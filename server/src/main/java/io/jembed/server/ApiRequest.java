package io.jembed.server;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One HTTP request as an endpoint sees it, whatever carries it: method, path, headers, the whole
 * body, the deadline it must be answered by, and a signal for when its client hangs up.
 */
final class ApiRequest {
  private final String method;
  private final String path;
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
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.body = body;
    this.deadlineNanos = deadlineNanos;
  }

  /** Upper case: GET, HEAD, POST... */
  String method() {
    return method;
  }

  /** The path without the query string. */
  String path() {
    return path;
  }

  String header(String name) {
    return headers.apply(name);
  }

  byte[] body() {
    return body;
  }

  long deadlineNanos() {
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
