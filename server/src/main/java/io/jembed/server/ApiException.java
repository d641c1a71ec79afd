package io.jembed.server;

/** An HTTP error answered as JSON: status, a machine-readable kind and a message for people. */
final class ApiException extends RuntimeException {
  private final int status;
  private final String kind;

  ApiException(int status, String kind, String message) {
    super(message, null, false, false);
    this.status = status;
    this.kind = kind;
  }

  int status() {
    return status;
  }

  /** invalid_input, malformed_json, payload_too_large, queue_full, unauthorized, not_found... */
  String kind() {
    return kind;
  }

  static ApiException invalid(String message) {
    return new ApiException(422, "invalid_input", message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }
}
