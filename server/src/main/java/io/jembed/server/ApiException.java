package io.jembed.server;

import java.util.Map;

/**
 * An HTTP error answered as JSON: status, a machine-readable kind, a message for people, and the
 * headers that go with it (Retry-After, Allow, WWW-Authenticate).
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String kind;
  private final Map<String, String> headers;

  public ApiException(int status, String kind, String message) {
    this(status, kind, message, Map.of());
  }

  public ApiException(int status, String kind, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.kind = kind;
    this.headers = Map.copyOf(headers);
  }

  public int status() {
    return status;
  }

  /** invalid_input, malformed_json, payload_too_large, queue_full, unauthorized, not_found... */
  public String kind() {
    return kind;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** 422: the request is well-formed JSON but says something wrong. */
  public static ApiException invalid(String message) {
    return new ApiException(422, "invalid_input", message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  /** 429: the model is overloaded; the client should retry after this many seconds. */
  static ApiException overloaded(String message, long retryAfterSeconds) {
    return new ApiException(
        429, "queue_full", message, Map.of("Retry-After", Long.toString(retryAfterSeconds)));
  }

  static ApiException shuttingDown() {
    return new ApiException(
        503, "shutting_down", "the server is shutting down", Map.of("Retry-After", "1"));
  }

  /** 503 for a request whose deadline passed before its inputs were encoded. */
  static ApiException timedOut(String message) {
    return new ApiException(503, "timeout", message, Map.of("Retry-After", "1"));
  }
}
